import type { FastifyRequest } from 'fastify'
import type { Device } from '../sessions/session-service.js'

const MAX_USER_AGENT = 512

/** The device facts kept with a session for the session listing. */
export function requestDevice(request: FastifyRequest): Device {
  const agent = request.headers['user-agent']
  return {
    userAgent: typeof agent === 'string' && agent.length > 0 ? agent.slice(0, MAX_USER_AGENT) : null,
    ip: request.ip ?? null,
  }
}
