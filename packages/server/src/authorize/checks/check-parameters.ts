import { TesseraError } from '../../shared/errors.js'
import type { RequestValues } from './request-values.js'

/** RFC 6749 §3.1: parameters must not be repeated (`resource` aside, RFC 8707 §2); values are bounded. */
export function checkParameters(values: RequestValues): void {
  if (values.repeated.size > 0)
    throw new TesseraError('invalid_request', { detail: `parameter ${[...values.repeated][0]?.slice(0, 40)} is repeated` })
  if (values.tooLong) throw new TesseraError('invalid_request', { detail: 'a parameter is too long' })
}
