import type { FastifyInstance } from 'fastify'
import { parseForm } from './form-parse.js'

/** Form bodies are small: a few parameters, none over a few kilobytes. */
const FORM_BODY_LIMIT = 16 * 1024

/**
 * Makes the plugin's routes take `application/x-www-form-urlencoded` bodies only (RFC 6749 §3.2
 * for OAuth endpoints; HTML forms for the hosted pages): the JSON parser is removed, so a JSON
 * body gets 415, and forms are capped at 16 KiB. Call it inside an encapsulated plugin.
 *
 * The parser is the one @fastify/formbody registers (fast-querystring, Fastify's own body reading
 * with its limit and Content-Length checks), read as a string: formbody read a Buffer, copied it
 * into another and then decoded that, on every form request (issue 17, introspection). Readers of
 * Tessera's own for small bodies measured at most ~2 % cheaper over a socket in bare Fastify, under
 * 1 % of an introspection (docs/architecture.md §9, "The form body stays on Fastify's reader"):
 * a form's cost over a GET is Node's stream and Fastify's parser dispatch, which any content-type
 * parser pays. form-body-edges.test.ts pins what a replacement must keep. The parse itself is
 * fast-querystring's, with a shortcut for a one-parameter body that needs no decoding (form-parse.ts).
 */
export async function acceptFormBodiesOnly(app: FastifyInstance): Promise<void> {
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT },
    (_request: unknown, body: string, done: (error: Error | null, body?: unknown) => void) => done(null, parseForm(body)),
  )
}
