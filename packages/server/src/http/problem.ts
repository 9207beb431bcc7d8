import type { FastifyReply } from 'fastify'
import { ERRORS, type TesseraError } from '../shared/errors.js'

/** RFC 9457 problem details, with Tessera's stable `code` as an extension member. */
export interface Problem {
  type: string
  title: string
  status: number
  code: string
  detail?: string
  errors?: { path: string; message: string }[]
}

export function toProblem(error: TesseraError): Problem {
  return {
    type: `urn:tessera:error:${error.code}`,
    title: ERRORS[error.code].title,
    status: error.status,
    code: error.code,
    ...(error.detail ? { detail: error.detail } : {}),
    ...(error.errors ? { errors: error.errors } : {}),
  }
}

export function sendProblem(reply: FastifyReply, error: TesseraError): FastifyReply {
  if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter))
  if (error.status === 401 && !reply.hasHeader('www-authenticate')) reply.header('www-authenticate', 'Bearer realm="tessera"')
  return reply.code(error.status).type('application/problem+json').send(toProblem(error))
}
