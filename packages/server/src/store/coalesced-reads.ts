export interface CoalescedReadsOptions<K, V> {
  /** One query for all these keys (distinct, at most `maxKeys`); what it returns for keys it does not find is left out. */
  readMany: (keys: K[]) => Promise<readonly V[]>
  /** The key a value answers. */
  keyOf: (value: V) => K
  /** Queries in flight at once; a batch that cannot go yet keeps gathering until one returns. */
  maxInFlight: number
  /** Distinct keys per query at most; a full batch is closed and goes as soon as it may. */
  maxKeys: number
}

/**
 * Point reads by key that arrive close together, answered by one query (docs/architecture.md §12,
 * "The session check on PostgreSQL"). A read joins the open batch; the batch closes when it is
 * sent (at the end of the event loop's poll phase, `setImmediate`, so the reads of every request
 * that arrived in that turn join it) and nothing joins a closed batch: each read's query starts
 * after the read was asked for, so it sees everything committed before, exactly as a query of its
 * own would. Reads of one key in one batch share the value (the caller must not change it).
 * At most `maxInFlight` queries run at once; while they do, the open batch keeps gathering, so
 * the busier the store, the larger the batches. A failed query fails every read of its batch.
 */
export function coalescedReads<K, V>(options: CoalescedReadsOptions<K, V>): (key: K) => Promise<V | null> {
  type Waiter = { resolve: (value: V | null) => void; reject: (error: unknown) => void }
  /** The batch gathering reads, by key; null when none is open. */
  let open: Map<K, Waiter[]> | null = null
  /** Full batches, closed, waiting for a query slot, oldest first. */
  const closed: Map<K, Waiter[]>[] = []
  let scheduled = false
  let inFlight = 0

  function sendNext() {
    while (inFlight < options.maxInFlight) {
      const batch = closed.shift() ?? (scheduled ? null : open)
      if (!batch) return
      if (batch === open) open = null
      send(batch)
    }
  }

  function send(batch: Map<K, Waiter[]>) {
    inFlight++
    let query: Promise<readonly V[]>
    try {
      query = options.readMany([...batch.keys()])
    } catch (error) {
      query = Promise.reject(error)
    }
    query.then(
      (values) => {
        const found = new Map<K, V>()
        for (const value of values) found.set(options.keyOf(value), value)
        for (const [key, waiters] of batch) for (const waiter of waiters) waiter.resolve(found.get(key) ?? null)
        done()
      },
      (error: unknown) => {
        for (const waiters of batch.values()) for (const waiter of waiters) waiter.reject(error)
        done()
      },
    )
  }

  function done() {
    inFlight--
    sendNext()
  }

  function flush() {
    scheduled = false
    sendNext()
  }

  return (key) =>
    new Promise<V | null>((resolve, reject) => {
      open ??= new Map()
      const waiters = open.get(key)
      if (waiters) waiters.push({ resolve, reject })
      else open.set(key, [{ resolve, reject }])
      if (open.size >= options.maxKeys) {
        closed.push(open)
        open = null
        sendNext()
      } else if (!scheduled) {
        scheduled = true
        setImmediate(flush)
      }
    })
}
