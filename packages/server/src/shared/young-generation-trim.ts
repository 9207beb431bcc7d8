import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

/**
 * Gives the young generation back once the server has gone quiet after load (docs/architecture.md
 * §9, "Memory", after load).
 *
 * Request load grows V8's young generation up to 2 × 16 MB semi-spaces (V8's throughput choice,
 * kept while requests come). V8 shrinks it again at a garbage collection when its allocation rate
 * over the last 5 s is below 1,000 bytes/ms. An idle Node server allocates almost nothing, so no
 * collection comes: a browser tells V8 when it is idle, Node does not, and the young generation
 * stays at its peak until V8's memory reducer runs, 30–100 s later or not at all. So, once a second,
 * this reads the young generation's size and use (`v8.getHeapSpaceStatistics()`, a few µs); when
 * it is larger than V8's initial 2 × 1 MB and less than 1 MB was allocated in each of the last
 * `QUIET_SECONDS` seconds (V8's own threshold, over a window longer than its 5 s), it asks for one
 * scavenge (a minor GC, which copies what is still live: 19 ms in one traced run at load average 15,
 * once, on a server with nothing else to do). V8 then decides by
 * its own rule; it shrank to 2 × 1 MB in each run traced, and the next load grows it again as
 * it would from a fresh start. Bounded: at most one scavenge per `QUIET_SECONDS` of quiet, none
 * while the server allocates, none once the young generation is back at its initial size.
 */
export interface YoungGenerationTrimDeps {
  /** The young generation now: bytes committed, bytes in use. */
  readYoung(): { committed: number; used: number }
  /** Runs one scavenge (V8's minor GC). */
  scavenge(): void
  /** Calls `tick` every `ms`, without keeping the process alive; returns a function that stops it. */
  repeat(tick: () => void, ms: number): () => void
}

const MB = 1024 * 1024
/** V8's initial young generation: two 1 MB semi-spaces (src/heap/heap.cc, 64-bit). */
const INITIAL_COMMITTED = 2 * MB
/** V8 shrinks below 1,000 bytes allocated per ms (Heap::ShouldResizeNewSpace); per 1 s tick, ~1 MB. */
const QUIET_BYTES_PER_SECOND = MB
/** Longer than the 5 s over which V8 measures its allocation rate, so it sees the quiet too. */
export const QUIET_SECONDS = 6

/** Starts watching; returns a function that stops. */
export function trimYoungGenerationWhenIdle(deps: YoungGenerationTrimDeps): () => void {
  let lastUsed = deps.readYoung().used
  let quietSeconds = 0
  return deps.repeat(() => {
    const { committed, used } = deps.readYoung()
    // A drop in use is a scavenge V8 ran itself: the server allocated a semi-space's worth.
    const allocated = used - lastUsed
    lastUsed = used
    if (committed <= INITIAL_COMMITTED || allocated < 0 || allocated > QUIET_BYTES_PER_SECOND) {
      quietSeconds = 0
      return
    }
    if (++quietSeconds < QUIET_SECONDS) return
    quietSeconds = 0
    deps.scavenge()
    lastUsed = deps.readYoung().used
  }, 1000)
}

/** The young generation as V8 reports it. */
export function readYoungGeneration(): { committed: number; used: number } {
  const space = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')
  return { committed: space?.space_size ?? 0, used: space?.space_used_size ?? 0 }
}

type Gc = (options: { type: 'minor' | 'major' }) => void

/**
 * V8's `gc` function, asked for a scavenge. An operator's `--expose-gc` already put it on
 * `globalThis`; otherwise `--expose-gc` is set just long enough for a fresh context to be given it
 * (the flag is read when a context is created) and unset, so neither the server's context nor any
 * created later (worker threads, `vm`) sees a `gc` it did not have. Taken at the first trim, so a
 * server that never grows its young generation never creates the context.
 */
export function v8Scavenge(): () => void {
  let gc: Gc | undefined
  return () => {
    gc ??= exposedGc()
    gc({ type: 'minor' })
  }
}

function exposedGc(): Gc {
  const own = (globalThis as { gc?: Gc }).gc
  if (typeof own === 'function') return own
  setFlagsFromString('--expose-gc')
  try {
    return runInNewContext('gc') as Gc
  } finally {
    setFlagsFromString('--no-expose-gc')
  }
}

/** An interval that never keeps the process alive. */
export function unrefInterval(tick: () => void, ms: number): () => void {
  const timer = setInterval(tick, ms)
  timer.unref()
  return () => clearInterval(timer)
}
