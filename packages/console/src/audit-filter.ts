/** The audit page's filters, as the form holds them. */
export interface AuditFilter {
  actorKind: string
  actorId: string
  action: string
  userId: string
  /** `datetime-local` values (the browser's local time), or ''. */
  since: string
  until: string
}

export const NO_FILTER: AuditFilter = { actorKind: '', actorId: '', action: '', userId: '', since: '', until: '' }

/**
 * The query of GET /admin/v1/audit: empty fields left out, local times turned into RFC 3339
 * instants; an impossible date is reported instead of sent.
 */
export function auditQuery(filter: AuditFilter): { query: Record<string, string>; error: string | null } {
  const query: Record<string, string> = {}
  for (const name of ['actorKind', 'actorId', 'action', 'userId'] as const) {
    const value = filter[name].trim()
    if (value) query[name] = value
  }
  for (const name of ['since', 'until'] as const) {
    if (!filter[name]) continue
    const date = new Date(filter[name])
    if (Number.isNaN(date.getTime())) return { query, error: `${name} is not a date` }
    query[name] = date.toISOString()
  }
  return { query, error: null }
}

/**
 * The live tail's merge: entries of a fresh newest page that are newer (a higher seq) than the
 * newest shown go on top, newest first; what is shown stays. Ids are outbox seqs, as strings.
 */
export function mergeNewer<T extends { id: string }>(shown: readonly T[], fresh: readonly T[]): { entries: T[]; added: number } {
  const newest = shown.reduce((max, entry) => Math.max(max, Number(entry.id)), 0)
  const newer = fresh.filter((entry) => Number(entry.id) > newest).sort((a, b) => Number(b.id) - Number(a.id))
  return { entries: [...newer, ...shown], added: newer.length }
}
