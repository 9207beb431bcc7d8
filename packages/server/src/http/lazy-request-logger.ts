import type { FastifyBaseLogger } from 'fastify'
import type { Bindings, ChildLoggerOptions } from 'fastify/types/logger.js'

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'
type LogFn = (...args: unknown[]) => void
/** pino's loggers can say whether a level is on; Fastify's logger type does not promise it. */
type Parent = FastifyBaseLogger & { isLevelEnabled?: (level: string) => boolean }

/**
 * Fastify's `childLoggerFactory`: the per-request logger (bound to the request id) is created on
 * the first line logged at an enabled level, not for every request.
 *
 * Why: Fastify makes a pino child for every request, and pino binds, serialises and redacts its
 * bindings there: about 3 % of the session check's CPU (bench/tools/profile-session-check.mjs),
 * for requests that, at the usual levels, never log a line. What is logged does not change: the
 * same child, with the same bindings and options, writes every line; a line at a disabled level
 * is dropped, as the child would drop it. A route with a log level or serializers of its own
 * gets its child at once, as before.
 */
export function lazyRequestLogger(logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  if (options.level !== undefined || options.serializers !== undefined || typeof (logger as Parent).isLevelEnabled !== 'function') {
    return logger.child(bindings, options)
  }
  return new LazyRequestLogger(logger as Parent & { isLevelEnabled: (level: string) => boolean }, bindings)
}

class LazyRequestLogger implements FastifyBaseLogger {
  #child: FastifyBaseLogger | undefined

  constructor(
    private readonly parent: Parent & { isLevelEnabled: (level: string) => boolean },
    private readonly bindings: Bindings,
  ) {}

  get level(): string {
    return this.#child?.level ?? this.parent.level
  }

  set level(level: string) {
    this.#real().level = level
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#real().child(bindings, options)
  }

  fatal(...args: unknown[]) {
    this.#log('fatal', args)
  }
  error(...args: unknown[]) {
    this.#log('error', args)
  }
  warn(...args: unknown[]) {
    this.#log('warn', args)
  }
  info(...args: unknown[]) {
    this.#log('info', args)
  }
  debug(...args: unknown[]) {
    this.#log('debug', args)
  }
  trace(...args: unknown[]) {
    this.#log('trace', args)
  }
  silent() {}

  #log(level: Level, args: unknown[]) {
    if (this.#child === undefined && !this.parent.isLevelEnabled(level)) return
    ;(this.#real()[level] as LogFn)(...args)
  }

  #real(): FastifyBaseLogger {
    this.#child ??= this.parent.child(this.bindings)
    return this.#child
  }
}
