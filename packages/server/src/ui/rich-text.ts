import type { MessageKey } from '../i18n/catalogues.js'
import type { MessageValues, Translator } from '../i18n/translator.js'
import { escapeHtml, Html } from './html.js'

const part = (value: unknown): string => (value instanceof Html ? value.value : escapeHtml(String(value)))

/**
 * A catalogue message with markup, as HTML: `<b>…</b>` in the message becomes `<strong>`, and
 * everything else (the message's text and every value) is escaped (OWASP XSS Prevention rule 1),
 * so a translation cannot inject markup either.
 */
export function rich(t: Translator, key: MessageKey, values: MessageValues = {}): Html {
  const parts = t.parts<Html>(key, values, { b: (chunks) => new Html(`<strong>${chunks.map(part).join('')}</strong>`) })
  return new Html(parts.map(part).join(''))
}
