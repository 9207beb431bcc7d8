import formbody from '@fastify/formbody'
import type { FastifyInstance } from 'fastify'

/** Form bodies are small: a few parameters, none over a few kilobytes. */
const FORM_BODY_LIMIT = 16 * 1024

/**
 * Makes the plugin's routes take `application/x-www-form-urlencoded` bodies only (RFC 6749 §3.2
 * for OAuth endpoints; HTML forms for the hosted pages): the JSON parser is removed, so a JSON
 * body gets 415, and forms are capped at 16 KiB. Call it inside an encapsulated plugin.
 */
export async function acceptFormBodiesOnly(app: FastifyInstance): Promise<void> {
  app.removeContentTypeParser('application/json')
  await app.register(formbody, { bodyLimit: FORM_BODY_LIMIT })
}
