import { Type } from '@sinclair/typebox'
import { LOCALES } from '../../i18n/catalogues.js'

/** The language of pages and messages when a request names none Tessera speaks. */
export const defaultLocaleSetting = Type.Union(
  LOCALES.map((locale) => Type.Literal(locale)),
  {
    default: 'en',
    env: 'TESSERA_DEFAULT_LOCALE',
    description:
      'Language of hosted pages and messages when neither the authorization request (`ui_locales`) nor the browser (`Accept-Language`) asks for one Tessera speaks (docs/localization.md).',
  },
)
