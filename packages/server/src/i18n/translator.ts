import { IntlMessageFormat } from 'intl-messageformat'
import { CATALOGUES, type Catalogue, type Locale, type MessageKey } from './catalogues.js'

export type MessageValues = Record<string, string | number>

/**
 * The messages of one language. Messages are ICU MessageFormat (plural rules and interpolation by
 * `intl-messageformat`, over the platform's `Intl.PluralRules`), never strings glued together:
 * `{count, plural, one {# hour} other {# hours}}`.
 */
export interface Translator {
  readonly locale: Locale
  /** Whether the catalogue has this key (for keys built from a code, such as `error.<code>`). */
  has(key: string): key is MessageKey
  /** The message as plain text, values interpolated (not escaped: the caller escapes for its medium). */
  t(key: MessageKey, values?: MessageValues): string
  /**
   * The message as parts, for rich text: each `<tag>…</tag>` in it calls `tags[tag]` with its
   * parts; strings among the parts are text to escape.
   */
  parts<T>(key: MessageKey, values: MessageValues, tags: Record<string, (chunks: (string | T)[]) => T>): (string | T)[]
}

const compiled = new Map<string, IntlMessageFormat>()

/** Compiles each message once per process (they are constants). */
function formatOf(locale: Locale, key: MessageKey): IntlMessageFormat {
  const id = `${locale}\u0000${key}`
  let format = compiled.get(id)
  if (!format) {
    const catalogue: Catalogue = CATALOGUES[locale]
    format = new IntlMessageFormat(catalogue[key], locale, undefined, { ignoreTag: false })
    compiled.set(id, format)
  }
  return format
}

export function createTranslator(locale: Locale): Translator {
  return {
    locale,
    has: (key): key is MessageKey => Object.hasOwn(CATALOGUES.en, key),
    t(key, values) {
      const out = formatOf(locale, key).format(values)
      return Array.isArray(out) ? out.join('') : String(out)
    },
    parts(key, values, tags) {
      const out = formatOf(locale, key).format<unknown>({ ...values, ...tags })
      return (Array.isArray(out) ? out : [out]) as never
    },
  }
}
