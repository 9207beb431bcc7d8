import type { FastifyRequest } from 'fastify'
import { parseBasic } from '../oauth/client-authentication.js'

/** Longest client id looked up; longer ones are not ours (oauth/client-authentication.ts). */
const MAX_CLIENT_ID_LENGTH = 64

/** RFC 6750 §2.1 credentials. */
const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i

/**
 * The client a request authenticates or names, before the handler runs: the Basic credentials'
 * id (RFC 6749 §2.3.1), the client of a bearer access token (RFC 6750 §2.1), or the form's
 * `client_id` (a public client, RFC 6749 §2.3). Null when the request names none clearly.
 */
export async function requestClientId(
  request: FastifyRequest,
  clientOfAccessToken: (token: string) => Promise<string | null>,
): Promise<string | null> {
  const header = request.headers.authorization
  if (header !== undefined) {
    const bearer = BEARER.exec(header)
    if (bearer) return clientOfAccessToken(bearer[1] as string)
    try {
      return usable(parseBasic(header)?.id)
    } catch {
      return null
    }
  }
  const body = request.body
  if (body === null || typeof body !== 'object') return null
  return usable((body as Record<string, unknown>).client_id)
}

function usable(id: unknown): string | null {
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_CLIENT_ID_LENGTH ? id : null
}
