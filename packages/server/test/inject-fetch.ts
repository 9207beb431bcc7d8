import type { FastifyInstance } from 'fastify'

/**
 * A `fetch` for third-party clients (oauth4webapi's `customFetch`, openid-client's), answered by
 * the app in memory.
 */
export function injectFetch(app: FastifyInstance) {
  return async (url: string, options: { method: string; headers: Record<string, string>; body?: unknown }): Promise<Response> => {
    const target = new URL(url)
    const response = await app.inject({
      method: options.method as 'GET' | 'POST',
      url: `${target.pathname}${target.search}`,
      headers: options.headers,
      ...(options.body !== undefined ? { payload: String(options.body) } : {}),
    })
    const headers = new Headers()
    for (const [name, value] of Object.entries(response.headers)) {
      for (const each of Array.isArray(value) ? value : [value]) if (each !== undefined) headers.append(name, String(each))
    }
    return new Response(response.rawPayload.length > 0 ? response.rawPayload : null, { status: response.statusCode, headers })
  }
}
