/**
 * A service Tessera cannot work without (its database, or Redis when configured) did not answer
 * at start-up. The CLI prints the message on one line and exits with 69 (EX_UNAVAILABLE).
 */
export class UnreachableError extends Error {
  constructor(service: string, where: string, cause: unknown) {
    super(`cannot reach ${service} at ${where}: ${describeCause(cause)}`)
    this.name = 'UnreachableError'
  }
}

/** The cause on one line: the driver's message (several for an AggregateError), never a stack. */
function describeCause(cause: unknown): string {
  if (cause instanceof AggregateError && cause.errors.length > 0) return cause.errors.map(describeCause).join('; ')
  const message = cause instanceof Error ? cause.message || (cause as { code?: string }).code || cause.name : String(cause)
  return message.replace(/\s+/g, ' ').trim()
}
