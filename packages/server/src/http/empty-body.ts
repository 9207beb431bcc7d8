import type { FastifyInstance, FastifyRequest } from 'fastify'
import { TesseraError } from '../shared/errors.js'

/**
 * Fastify sends a request with `Transfer-Encoding: chunked` and no `Content-Type` (what Node's
 * `http.request` sends by default for a body-less POST) to the catch-all parser, and without one
 * answers 415. This catch-all accepts exactly an empty body, so a route that expects none (sign-out)
 * works; any other content type that no route parser takes, and any non-empty body without a
 * type, still get 415 (issue 16 part 9).
 */
export function acceptEmptyBodies(app: FastifyInstance): void {
  app.addContentTypeParser(
    '*',
    (request: FastifyRequest, payload: NodeJS.ReadableStream, done: (error: Error | null, body?: unknown) => void) => {
      if (request.headers['content-type'] !== undefined) {
        done(new TesseraError('unsupported_media_type'))
        return
      }
      let settled = false
      const finish = (error: Error | null) => {
        if (settled) return
        settled = true
        done(error, undefined)
      }
      payload.on('data', (chunk: Buffer) => {
        // The first byte decides: a body without a type is refused without reading the rest.
        if (chunk.length > 0) finish(new TesseraError('unsupported_media_type'))
      })
      payload.on('end', () => finish(null))
      payload.on('error', (error: Error) => finish(error))
    },
  )
}
