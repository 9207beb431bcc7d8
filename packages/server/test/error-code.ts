import { isTesseraError } from '../src/shared/errors.js'

/** The stable code a promise was refused with; `'resolved'` when it was not refused. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    return isTesseraError(error) ? error.code : `not a TesseraError: ${String(error)}`
  }
  return 'resolved'
}
