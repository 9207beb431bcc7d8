import { Writable } from 'node:stream'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { REDACTED_LOG_PATHS } from '../app/logger.js'
import { lazyRequestLogger } from './lazy-request-logger.js'

/** The instance's logger as app/logger.ts makes it (redaction on), writing into `lines`; counts the children it makes. */
function parentAt(level: string) {
  const lines: Record<string, unknown>[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)))
      done()
    },
  })
  let children = 0
  const logger = pino({ level, redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' }, onChild: () => void children++ }, stream)
  return { logger, lines, children: () => children }
}

describe('the per-request logger', () => {
  it('makes no child for a request that logs nothing at an enabled level', () => {
    const parent = parentAt('warn')
    const log = lazyRequestLogger(parent.logger, { requestId: 'r-1' }, {})
    log.info({ req: { url: '/v1/session' } }, 'incoming request')
    log.debug('detail')
    expect(parent.children()).toBe(0)
    expect(parent.lines).toEqual([])
    expect(log.level).toBe('warn')
  })

  it('writes an enabled line with the request id, redacted as before, through one child', () => {
    const parent = parentAt('info')
    const log = lazyRequestLogger(parent.logger, { requestId: 'r-2' }, {})
    log.info('incoming request')
    log.warn({ body: { token: 'a-secret' } }, 'request refused')
    log.error({ code: 'x' }, 'request failed')
    expect(parent.children()).toBe(1)
    expect(parent.lines.map((line) => [line.requestId, line.msg])).toEqual([
      ['r-2', 'incoming request'],
      ['r-2', 'request refused'],
      ['r-2', 'request failed'],
    ])
    expect(parent.lines[1]?.body).toEqual({ token: '[redacted]' })
  })

  it("keeps the request id in a child's lines, and a route's own level applies at once", () => {
    const parent = parentAt('info')
    lazyRequestLogger(parent.logger, { requestId: 'r-3' }, {}).child({ feed: 1 }).info('from a child')
    const routeLevel = lazyRequestLogger(parent.logger, { requestId: 'r-4' }, { level: 'debug' })
    routeLevel.debug('debug on this route')
    expect(parent.lines.map((line) => [line.requestId, line.feed, line.msg])).toEqual([
      ['r-3', 1, 'from a child'],
      ['r-4', undefined, 'debug on this route'],
    ])
  })

  it('follows a level set on the request logger itself', () => {
    const parent = parentAt('warn')
    const log = lazyRequestLogger(parent.logger, { requestId: 'r-5' }, {})
    log.level = 'debug'
    log.debug('now visible')
    expect(parent.lines.map((line) => line.msg)).toEqual(['now visible'])
    expect(parent.logger.level).toBe('warn')
  })
})
