import type Pg from 'pg'
import type { TestServer } from './test-server.js'

/**
 * Holds the answers of the PostgreSQL reads whose SQL contains `marker` (the coalesced reads of
 * store/coalesced-reads.ts: the session check's, introspection's): each query runs in PostgreSQL
 * at once (so what it sees is fixed then), but its answer reaches the server only on `release`.
 * Records each query's parameters (session ids, token ids or hashes), in the order they were sent.
 */
export function holdPostgresReads(server: TestServer, marker: string) {
  const pool = server.tessera.database.pool as Pg.Pool
  const queries: string[][] = []
  const answered: Promise<unknown>[] = []
  let release!: () => void
  const released = new Promise<void>((resolve) => {
    release = resolve
  })
  const arrivals: { count: number; resolve: () => void }[] = []
  const patched = new WeakSet<object>()
  pool.on('acquire', (client) => {
    if (patched.has(client)) return
    patched.add(client)
    const query = client.query.bind(client) as (text: unknown, values?: unknown) => Promise<unknown>
    client.query = ((text: unknown, values?: unknown) => {
      const result = query(text, values)
      if (typeof text !== 'string' || !text.includes(marker)) return result
      queries.push((values as unknown[]).flat() as string[])
      answered.push(result.catch(() => undefined))
      for (const arrival of arrivals) if (queries.length >= arrival.count) arrival.resolve()
      return result.then(async (rows) => {
        await released
        return rows
      })
    }) as typeof client.query
  })
  return {
    queries,
    release,
    /** Resolves once `count` matching reads were sent. */
    sent: (count: number) =>
      queries.length >= count ? Promise.resolve() : new Promise<void>((resolve) => arrivals.push({ count, resolve })),
    /** Resolves once the `index`th matching read (from 1) was answered by PostgreSQL (and is being held). */
    answered: (index: number) => answered[index - 1],
  }
}
