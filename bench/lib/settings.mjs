// The two profiles of the suite. Full: what docs/benchmarks.md is made of. Quick: the CI smoke,
// every case on every code path with tiny durations (its figures mean nothing).
export const FULL = {
  name: 'full',
  rounds: 3, // every case runs this many times, interleaved with its baseline: min / median / max
  // The sections whose rows decide a target over HTTP (1b, 1c, 5) run this many: with 3, their
  // medians swung more between runs of unchanged code than the targets' margins (session check
  // against better-auth 13.1–14.8×, introspection / check on PostgreSQL 0.67–0.94, the hybrid
  // route 0.62–1.01; docs/architecture.md §9, "Verdicts that flip between runs").
  decidingRounds: 6,
  duration: 4, // seconds of load per HTTP measurement
  connections: 50,
  tokens: 2000, // tokens per in-process verify case
  warmUpPasses: 3, // untimed passes over them before the in-process rounds (bench/suites/verify-in-process.mjs says why)
  signIns: 40,
  // Per subscriber count. Each revocation is one event every verifier handles, so a row's p99 is
  // made of this many events' tails: with 20, one slow event moved the 1,000-subscriber p99 by
  // several ms (92–107 ms in three runs of unchanged code).
  revocations: 60,
  subscribers: [1, 10, 100, 1000],
  crossInstanceSubscribers: 100,
  subscribersPerProcess: 250, // verifiers per child process (bench/suites/revocation.mjs says why)
  footprintStarts: 3,
  // Issue 17 target 4 against the build it was filed with (bench/suites/issuance.mjs §2d): prepared
  // here once (lib/filed-build.mjs), then each build in turn, this many rounds of `duration` s after a
  // warm-up window of each case on each server; even, so each build goes first as often.
  filed: { prepare: true, rounds: 6, warmUpSeconds: 3 },
}

export const QUICK = {
  name: 'quick',
  rounds: 1,
  decidingRounds: 1,
  duration: 0.2,
  connections: 10,
  tokens: 150,
  warmUpPasses: 1,
  signIns: 4,
  revocations: 3,
  subscribers: [1, 10, 100],
  crossInstanceSubscribers: 10,
  subscribersPerProcess: 250,
  footprintStarts: 1,
  // Measured only if a full run prepared the build before: preparing it (a second npm ci, better-sqlite3's
  // native build, tsc) takes minutes, past the 3-minute bound of the CI smoke on a fresh clone.
  filed: { prepare: false, rounds: 2, warmUpSeconds: 0.2 },
}

/** `--quick`, `--out <dir>`, `--only <suite,…>` from the command line. */
export function parseArgs(argv) {
  const args = { quick: false, out: null, only: null, from: null }
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--quick') args.quick = true
    else if (argv[i] === '--from') args.from = argv[++i]
    else if (argv[i] === '--out') args.out = argv[++i]
    else if (argv[i] === '--only') args.only = argv[++i].split(',')
    else throw new Error(`unknown argument ${argv[i]} (use --quick, --out <dir>, --only <suite,…>, --from <results.json>)`)
  }
  return args
}
