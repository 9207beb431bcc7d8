/**
 * Whether a database error is a unique-constraint violation: PostgreSQL's `unique_violation`
 * (SQLSTATE 23505) or SQLite's constraint error on a unique index or primary key. Callers map it to
 * their typed error (two writers racing for one name: the index decides).
 */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
}
