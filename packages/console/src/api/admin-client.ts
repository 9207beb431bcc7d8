/** A failed admin API call: the RFC 9457 problem document's stable code, and its explanation. */
export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
  ) {
    super(detail)
  }
}

export interface AdminClientDeps {
  /** `{issuer}/admin/v1` */
  base: string
  /** The current access token. */
  accessToken(): string
  /** Renews the tokens once after a 401 invalid_token (an expired token); resolves false if it cannot. */
  renew(): Promise<boolean>
}

export type AdminClient = ReturnType<typeof createAdminClient>

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'
type Query = Record<string, string | undefined>

/** Calls the admin API with the bearer token (RFC 6750 §2.1: the header, never the URL). */
export function createAdminClient(deps: AdminClientDeps) {
  async function send(method: Method, path: string, body: unknown, query: Query | undefined, retried: boolean): Promise<unknown> {
    const search = new URLSearchParams()
    for (const [name, value] of Object.entries(query ?? {})) if (value !== undefined && value !== '') search.set(name, value)
    const url = `${deps.base}${path}${search.size > 0 ? `?${search}` : ''}`
    const response = await fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${deps.accessToken()}`,
        accept: 'application/json, application/problem+json',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      credentials: 'omit',
      cache: 'no-store',
    })
    if (response.status === 401 && !retried && (await deps.renew())) return send(method, path, body, query, true)
    if (response.status === 204) return null
    const payload = (await response.json().catch(() => null)) as Record<string, unknown> | null
    if (!response.ok) throw problemOf(response.status, payload)
    return payload
  }

  return {
    get: <T>(path: string, query?: Query) => send('GET', path, undefined, query, false) as Promise<T>,
    post: <T>(path: string, body?: unknown) => send('POST', path, body, undefined, false) as Promise<T>,
    patch: <T>(path: string, body: unknown) => send('PATCH', path, body, undefined, false) as Promise<T>,
    put: <T>(path: string) => send('PUT', path, undefined, undefined, false) as Promise<T>,
    delete: (path: string, query?: Query) => send('DELETE', path, undefined, query, false),
  }
}

/** The error of a failed response: the problem document's code and detail when it is one. */
export function problemOf(status: number, payload: Record<string, unknown> | null): AdminApiError {
  const code = typeof payload?.code === 'string' ? payload.code : `http_${status}`
  const detail =
    typeof payload?.detail === 'string' ? payload.detail : typeof payload?.title === 'string' ? payload.title : `HTTP ${status}`
  return new AdminApiError(status, code, detail)
}

/** A path segment: ids are encoded so they cannot change the path. */
export const segment = encodeURIComponent
