import type { ResourceLimits } from 'node:worker_threads'

// The bounds of the password-estimate pool (users/password-estimate-pool.ts): how many estimates
// wait, how long each and a thread's start may take, the thread's heap and how long it stays idle.

/**
 * At most this many estimates wait: one takes a median of ~0.15 s of one core for a 32-character
 * random password (users/password-strength.ts), so the last in line waits ~2.5 s; beyond that
 * the client is told to come back (503 with Retry-After) rather than held.
 */
export const MAX_WAITING_ESTIMATES = 16
/**
 * The thread's heap. With the dictionaries loaded and 32-character estimates running, its old
 * generation holds ~7 MB live (4.3 MB old space, 2.5 MB large objects), and its whole heap peaks
 * at ~45 MB used, with garbage; it runs out at 6 MB and crawls at 8-10 MB (2-4x the time), and runs as fast as
 * unbounded at 24 MB and up. 64 MB leaves 9x the live set. The young generation is V8's default on
 * a 64-bit machine (3 x 16 MB semi-spaces), written out so the whole bound is known: ~112 MB. A
 * thread past it ends with ERR_WORKER_OUT_OF_MEMORY, and its estimate fails closed (docs/architecture.md
 * §9, "The password estimate").
 */
export const ESTIMATE_WORKER_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 48 }
/** Far above the slowest estimate seen (0.3 s at 32 characters on a loaded 2-core machine). */
export const DEADLINE_MS = 10_000
/**
 * Starting the thread and loading the dictionaries costs 130-150 ms of CPU (~100 ms to the first
 * score, load average 4), far longer on a starved or instrumented machine. A user waits for it at
 * most as long as for an estimate: a thread still loading after that (hung or starved) answers 503
 * at once rather than holding each request (docs/architecture.md §9, "The password estimate").
 */
export const START_WAIT_MS = DEADLINE_MS
/**
 * Counted in the estimate's 10 s, a load slowed past them (under callgrind) ended every thread before
 * its first score, each fresh thread loading again; so the thread goes on loading past the users'
 * wait, and only a thread not ready after this is ended.
 */
export const START_DEADLINE_MS = 60_000
/**
 * How long a thread with nothing to run is kept. It holds ~10 MB of RSS after one estimate, ~50 MB
 * after a burst (its young generation grown to 2 x 16 MB), beyond what stays once it ends; a fresh
 * one costs ~0.15 s of CPU to load (docs/architecture.md §9, "The password estimate", where this
 * is measured). Sign-ups come in bursts or far apart: a burst keeps it, and past a few quiet
 * seconds the memory is worth more than the next start.
 */
export const ESTIMATE_THREAD_IDLE_MS = 5_000
export const RETRY_AFTER_SECONDS = 1
