import type { Translator } from '../i18n/translator.js'
import { ENGLISH } from './page-translator.js'

const KNOWN = ['openid', 'profile', 'email', 'offline_access'] as const

/** Human words for the consent page; API scopes are shown by name. */
export function describeScope(scope: string, t: Translator = ENGLISH): string {
  const known = KNOWN.find((name) => name === scope)
  return known ? t.t(`scope.${known}`) : t.t('scope.other', { scope })
}
