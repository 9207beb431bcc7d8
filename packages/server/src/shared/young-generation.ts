import { setFlagsFromString } from 'node:v8'
import { readYoungGeneration, trimYoungGenerationWhenIdle, unrefInterval, v8Scavenge } from './young-generation-trim.js'

/**
 * Keeps V8's young generation from growing while the `tessera` command loads its modules and
 * starts, and while a large long-lived structure loads (the password-strength dictionaries); see
 * docs/architecture.md §9, "Memory".
 *
 * V8 doubles the young generation each time as many bytes as it holds have survived scavenges.
 * Loading ~1,400 modules, or 24 MB of dictionaries, is all survivors: the young generation grows
 * to its maximum, 2 × 16 MB, and keeps it for good, about a quarter of an idle server's RSS,
 * although neither is a throughput workload. V8 reads `--semi-space-growth-factor` each time it
 * would grow; at 1 a growth is a no-op. With 1 MB semi-spaces a load scavenges about five times
 * as often (86 scavenges instead of 16 for the imports), so a hold also scavenges on the main
 * thread alone (`--no-parallel-scavenge`, also read at each scavenge): for so small a space the
 * helper threads cost more than they save, measured as the start-up's CPU time (990 ms with,
 * 1,090 ms without, V8's default 980 ms). Between holds both flags are V8's defaults, so request
 * load grows the young generation as V8 decides and the request path runs as it would have (the
 * footprint bench measures the session-check rate beside the RSS).
 *
 * A hold also makes V8 favour memory over speed (`--optimize-for-size`, read by its garbage
 * collector at each decision): the old generation's limit grows by a small factor and full GCs
 * compact and give pages back, so the server starts with ~10 MB less committed heap (idle RSS 99 →
 * 90 MB, footprint bench); released with the rest, so the request path runs with V8's defaults.
 *
 * Once the server listens, the `tessera` executable also has the young generation given back when
 * requests have grown it and then gone quiet (`trimWhenIdle`, shared/young-generation-trim.ts):
 * V8 shrinks it at a collection after 5 s of little allocation, and an idle Node server runs none.
 *
 * Only the `tessera` executable manages the flags (bin/tessera.js calls `manageYoungGeneration`);
 * an application that embeds Tessera keeps its V8 as it configured it, and an operator who sets a
 * semi-space, scavenge or optimize-for-size flag (NODE_OPTIONS or the node command line) is left alone.
 */
export interface YoungGeneration {
  /** Stops growth until the returned function is called; holds nest. */
  hold(): () => void
  /** From now on, asks V8 for a scavenge once the process has allocated little for a few seconds; returns a stop function. */
  trimWhenIdle(): () => void
}

/** While held, and V8's defaults (src/flags/flag-definitions.h) once released. */
const HELD = ['--semi-space-growth-factor=1', '--no-parallel-scavenge', '--optimize-for-size']
const DEFAULTS = ['--semi-space-growth-factor=2', '--parallel-scavenge', '--no-optimize-for-size']

const unmanaged: YoungGeneration = { hold: () => () => {}, trimWhenIdle: () => () => {} }

const startTrim = () => trimYoungGenerationWhenIdle({ readYoung: readYoungGeneration, scavenge: v8Scavenge(), repeat: unrefInterval })
let current = unmanaged

export function createYoungGeneration(
  process: { execArgv: readonly string[]; env: { NODE_OPTIONS?: string } },
  setFlags: (flags: string) => void = setFlagsFromString,
  trimWhenIdle: () => () => void = startTrim,
): YoungGeneration {
  const chosen = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((flag) =>
    /semi[-_]space|parallel[-_]scavenge|optimize[-_]for[-_]size/.test(flag),
  )
  if (chosen) return unmanaged
  let holds = 0
  return {
    trimWhenIdle,
    hold() {
      if (holds++ === 0) setFlags(HELD.join(' '))
      let released = false
      return () => {
        if (released) return
        released = true
        if (--holds === 0) setFlags(DEFAULTS.join(' '))
      }
    },
  }
}

/** Called once by the `tessera` executable, before it loads the CLI. */
export function manageYoungGeneration(process: Parameters<typeof createYoungGeneration>[0]): YoungGeneration {
  current = createYoungGeneration(process)
  return current
}

/** Runs a synchronous load of long-lived data with the young generation held, when managed. */
export function withoutYoungGrowth<T>(load: () => T): T {
  const release = current.hold()
  try {
    return load()
  } finally {
    release()
  }
}
