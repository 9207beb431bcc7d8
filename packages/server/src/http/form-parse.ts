import { parse } from 'fast-querystring'

/** fast-querystring's result shape: an object whose prototype has no prototype. */
const Fields = function Fields() {} as unknown as new () => Record<string, unknown>
Fields.prototype = Object.create(null)

/**
 * An `application/x-www-form-urlencoded` body parsed as fast-querystring (@fastify/formbody's
 * parser) parses it, with the same result. The usual introspection body, one parameter with
 * nothing encoded (`token=<id>.<secret>`), is split at its `=` without walking it character by
 * character: ~2.8k of the ~39k instructions an introspection paid over a session check over
 * sockets (issue 17, docs/architecture.md §9, "Introspection against the session check, by
 * instructions over sockets"). Anything else (`&`, `%`, `+`, no `=`, a leading `=`) is
 * fast-querystring's. form-parse.test.ts compares the two on random bodies.
 */
export function parseForm(body: string): Record<string, unknown> {
  const equals = body.indexOf('=')
  if (equals <= 0 || body.indexOf('&') !== -1 || body.indexOf('%') !== -1 || body.indexOf('+') !== -1) return parse(body)
  const fields = new Fields()
  // A second `=` stays in the value, as fast-querystring leaves it (its decode finds no `%`).
  fields[body.slice(0, equals)] = body.slice(equals + 1)
  return fields
}
