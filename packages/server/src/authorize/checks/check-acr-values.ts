import { TesseraError } from '../../shared/errors.js'
import type { RequestValues } from './request-values.js'

/** At most this many values, each at most this long: acr values are short URNs. */
const MAX_VALUES = 10
const MAX_LENGTH = 200

/**
 * OIDC Core §3.1.2.1: acr_values is a space-separated list in order of preference. Values Tessera
 * does not define are kept and ignored by the decision (docs/mfa.md "What tokens say").
 */
export function checkAcrValues(values: RequestValues): string[] {
  const acrValues = [...new Set((values.get('acr_values')?.split(' ') ?? []).filter((each) => each !== ''))]
  if (acrValues.length > MAX_VALUES || acrValues.some((each) => each.length > MAX_LENGTH))
    throw new TesseraError('invalid_request', { detail: `acr_values holds at most ${MAX_VALUES} values of ${MAX_LENGTH} characters` })
  return acrValues
}
