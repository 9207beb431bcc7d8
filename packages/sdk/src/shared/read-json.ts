import { TesseraAuthError } from '../errors/tessera-auth-error.js'

/** Documents the verifier reads (discovery, JWKS, introspection) are small; refuse anything huge. */
export const MAX_DOCUMENT_BYTES = 1024 * 1024

/**
 * Read a response body as JSON, refusing more than `maxBytes`. Throws `verifier_unavailable`
 * naming `what`, never the body.
 */
export async function readJson(response: Response, what: string, maxBytes = MAX_DOCUMENT_BYTES): Promise<unknown> {
  checkDeclaredLength(response.headers.get('content-length'), what, maxBytes)
  const reader = response.body?.getReader()
  if (!reader) throw new TesseraAuthError('verifier_unavailable', { detail: `${what}: empty body` })
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel().catch(() => {})
      throw tooLarge(what)
    }
    chunks.push(value)
  }
  return parseJson(Buffer.concat(chunks), what)
}

/**
 * Refuse a body whose declared `content-length` is over `maxBytes` before reading any of it. The
 * streamed size is checked as well: a declared length may be absent (chunked) or a lie.
 */
export function checkDeclaredLength(contentLength: string | null | undefined, what: string, maxBytes = MAX_DOCUMENT_BYTES): void {
  if (Number(contentLength ?? '0') > maxBytes) throw tooLarge(what)
}

/** A body read in full, parsed as JSON; `verifier_unavailable` naming `what` when it is not JSON. */
export function parseJson(body: Buffer, what: string): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown
  } catch {
    throw new TesseraAuthError('verifier_unavailable', { detail: `${what}: not JSON` })
  }
}

/** The refusal of a body over the limit, streamed or declared. */
export function tooLarge(what: string): TesseraAuthError {
  return new TesseraAuthError('verifier_unavailable', { detail: `${what}: larger than allowed` })
}

/** Whether a JSON value is a plain object (not an array, not null). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
