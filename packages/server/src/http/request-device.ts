import type { FastifyRequest } from 'fastify'

const MAX_USER_AGENT = 512

/** The device facts kept with a session for the session listing (a `Device` of sessions/session-service.ts). */
export interface RequestDevice {
  userAgent: string | null
  ip: string | null
  /** The language the client asks for (`Accept-Language`), for the messages its request causes; set by the route. */
  locale?: string
}

export function requestDevice(request: FastifyRequest): RequestDevice {
  const agent = request.headers['user-agent']
  return {
    userAgent: typeof agent === 'string' && agent.length > 0 ? agent.slice(0, MAX_USER_AGENT) : null,
    ip: request.ip ?? null,
  }
}
