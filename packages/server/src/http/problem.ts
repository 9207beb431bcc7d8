import type { FastifyReply } from 'fastify'
import { ERRORS, type TesseraError } from '../shared/errors.js'
import { REQUEST_ID_HEADER } from './request-id.js'

/** RFC 9457 problem details, with Tessera's stable `code` as an extension member. */
export interface Problem {
  type: string
  title: string
  status: number
  code: string
  detail?: string
  errors?: { path: string; message: string }[]
  /** The request's id (the `X-Request-Id` response header and the logs' `requestId`), to find its log lines. */
  requestId?: string
}

export function toProblem(error: TesseraError, requestId?: string): Problem {
  return {
    type: `urn:tessera:error:${error.code}`,
    title: ERRORS[error.code].title,
    status: error.status,
    code: error.code,
    ...(error.detail ? { detail: error.detail } : {}),
    ...(error.errors ? { errors: error.errors } : {}),
    ...(requestId ? { requestId } : {}),
  }
}

export function sendProblem(reply: FastifyReply, error: TesseraError): FastifyReply {
  if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter))
  // Also here: a router error (a malformed URL) is answered before the hook that sets it runs.
  if (!reply.hasHeader(REQUEST_ID_HEADER)) reply.header(REQUEST_ID_HEADER, reply.request.id)
  if (error.status === 401 && !reply.hasHeader('www-authenticate')) reply.header('www-authenticate', 'Bearer realm="tessera"')
  return reply
    .code(error.status)
    .type('application/problem+json')
    .send(toProblem(error, String(reply.request.id)))
}
