/**
 * Errors that mean "the store cannot be reached right now" rather than "this request is wrong":
 * they become `store_unavailable` (503, safe to retry) and are logged once per burst, not as bugs.
 */
const CODES = new Set([
  // Sockets: the server is down, restarting or unreachable.
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  // SQLite: another process holds the write lock past busy_timeout.
  'SQLITE_BUSY',
  // SQLite: a sync of the WAL failed (store/sqlite-group-commit.ts stops taking work after it).
  'SQLITE_IOERR_FSYNC',
  // PostgreSQL class 08 (connection exception) and 57P01–57P03 (admin/crash shutdown, cannot connect now).
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '57P01',
  '57P02',
  '57P03',
])

const MESSAGES =
  /timeout exceeded when trying to connect|Connection terminated|connection error and is not queryable|Client was closed and is not queryable|driver has already been destroyed/i

export function isStoreUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  if (error instanceof AggregateError && error.errors.some(isStoreUnavailable)) return true
  const { code, message } = error as { code?: unknown; message?: unknown }
  return (typeof code === 'string' && CODES.has(code)) || (typeof message === 'string' && MESSAGES.test(message))
}
