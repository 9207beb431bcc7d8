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
 * own would. Reads of one key in one batch share the value (the caller must not change it) and
 * the promise: the first read of a key in a batch makes it, the others are handed the same one
 * (issue 17: no promise, executor or waiter per read, one resolution per key rather than per read;
 * docs/architecture.md §12, "Introspection on PostgreSQL coalesces its read").
 * At most `maxInFlight` queries run at once; while they do, the open batch keeps gathering, so
 * the busier the store, the larger the batches. A failed query fails every read of its batch.
 */
export function coalescedReads<K, V>(options: CoalescedReadsOptions<K, V>): (key: K) => Promise<V | null> {
  /** The answer every read of one key in one batch is handed, with what settles it. */
  type Pending = { promise: Promise<V | null>; resolve: (value: V | null) => void; reject: (error: unknown) => void }
  /** The batch gathering reads, by key; null when none is open. */
  let open: Map<K, Pending> | null = null
  /** Full batches, closed, waiting for a query slot, oldest first. */
  const closed: Map<K, Pending>[] = []
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

  function send(batch: Map<K, Pending>) {
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
        for (const [key, pending] of batch) pending.resolve(found.get(key) ?? null)
        done()
      },
      (error: unknown) => {
        for (const pending of batch.values()) pending.reject(error)
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

  return (key) => {
    open ??= new Map()
    const pending = open.get(key)
    if (pending) return pending.promise
    let resolve!: Pending['resolve']
    let reject!: Pending['reject']
    const promise = new Promise<V | null>((settle, fail) => {
      resolve = settle
      reject = fail
    })
    open.set(key, { promise, resolve, reject })
    if (open.size >= options.maxKeys) {
      closed.push(open)
      open = null
      sendNext()
    } else if (!scheduled) {
      scheduled = true
      setImmediate(flush)
    }
    return promise
  }
}
