// The targets of issues 7 and 17, each met or not, read from the measured sections.
import { spread } from './lib/stats.mjs'

const find = (sections, id, name) => sections.find((s) => s.id === id)?.rows?.find((r) => r.name.startsWith(name)) ?? null
const f = (value, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a')

export function evaluateTargets(sections) {
  const targets = []
  const add = (what, target, measured, met) =>
    targets.push({ what, target, measured: measured ?? 'not measured', met: measured ? met : null })

  const hybrid = find(sections, 'verify-http', 'hybrid mode (ES256), verified-token cache')
  add(
    'hybrid-guarded route',
    '≥ 0.8 of the bare route',
    // The rate ratio is the target's measure; per CPU-second of the resource server beside it,
    // since on 2 cores the bare route's rate is bound by the load generator as much as by the
    // server (bench/suites/verify-http.mjs).
    hybrid &&
      `${f(hybrid.ratio.median)} of bare (${f(hybrid.ratio.min)}–${f(hybrid.ratio.max)}) by rate` +
        (hybrid.cpuRatio
          ? `; ${f(hybrid.cpuRatio.median)} (${f(hybrid.cpuRatio.min)}–${f(hybrid.cpuRatio.max)}) per CPU-second of the resource server`
          : ''),
    hybrid?.ratio.median >= 0.8,
  )

  const warm = find(sections, 'verify-in-process', 'ES256: SDK verify, warm cache')
  add(
    'SDK verify, warm cache',
    '≥ 500k/s per core',
    warm &&
      `ES256: ${f(warm.cpuRate.median / 1000, 0)}k per CPU-second (${f(warm.cpuRate.min / 1000, 0)}k–${f(warm.cpuRate.max / 1000, 0)}k); ` +
        `${f(warm.rate.median / 1000, 0)}k per second of wall-clock time on the shared machine`,
    warm?.cpuRate.median >= 500_000,
  )

  const cold = find(sections, 'verify-in-process', 'ES256: SDK verify, cold, one at a time')
  const raw = find(sections, 'verify-in-process', 'ES256: raw node:crypto verify')
  // The rate is the target's measure; the p50 ratio is shown beside it because on a shared machine
  // the mean rate swings with whatever else runs, while the median latency of 2,000 runs holds.
  const p50Ratio = cold && raw ? raw.p50.median / cold.p50.median : null
  // And the CPU time of the process (every thread), which other work on the machine moves least.
  const cpuRatio = cold?.cpuRate && raw?.cpuRate ? cold.cpuRate.median / raw.cpuRate.median : null
  add(
    'SDK verify, cold cache, one at a time',
    '≥ 0.8 of raw node:crypto',
    cold &&
      `ES256: ${f(cold.ratio.median)} (${f(cold.ratio.min)}–${f(cold.ratio.max)}) of raw node:crypto by rate; ` +
        `${f(p50Ratio)} by p50 latency; ${f(cpuRatio)} per CPU-second`,
    cold?.ratio.median >= 0.8,
  )

  const versus = (id, name) => find(sections, id, name)
  const session = versus('peers', 'better-auth get-session, SQLite, no cookie cache')
  add(
    'session check over HTTP on SQLite',
    '≥ 15× better-auth',
    // By rate, as the issue words it; per CPU-second of each server beside it (better-auth's process
    // and Tessera's, each from /proc), which a shared machine's scheduling moves less.
    session &&
      `${f(session.ratio.median, 1)}× (${f(session.ratio.min, 1)}–${f(session.ratio.max, 1)}) by rate` +
        (session.cpuRatio
          ? `; ${f(session.cpuRatio.median, 1)}× (${f(session.cpuRatio.min, 1)}–${f(session.cpuRatio.max, 1)}) per CPU-second of the server process`
          : ''),
    session?.ratio.median >= 15,
  )

  const sessionPg = find(sections, 'session-check', 'GET /v1/session, PostgreSQL')
  add(
    'session check over HTTP on PostgreSQL',
    '≥ 0.25 of the bare route (/healthz)',
    sessionPg && `${f(sessionPg.ratio.median)} (${f(sessionPg.ratio.min)}–${f(sessionPg.ratio.max)})`,
    sessionPg?.ratio.median >= 0.25,
  )
  for (const [dialect, label] of [
    ['SQLite', 'SQLite'],
    ['PostgreSQL', 'PostgreSQL'],
  ]) {
    const check = find(sections, 'session-check', `GET /v1/session, ${dialect}`)
    const introspection = find(sections, 'session-check', `POST /oauth/introspect (opaque token), ${dialect}`)
    // Both are ratios to the same interleaved baseline, so their quotient compares the two directly.
    const ratio = check && introspection ? introspection.ratio.median / check.ratio.median : null
    // The rate decides, as the issue words it. Beside it the same quotient per CPU-second of the
    // server: on 2 cores a rate also measures scheduling, and a check whose server CPU per request is
    // below /healthz's (PostgreSQL's, whose event loop sleeps once per batch) makes the rate quotient
    // small without introspection costing more (docs/architecture.md §9, "Introspection against the session check is not dearer on PostgreSQL").
    const byCpu = check?.cpuRatio && introspection?.cpuRatio ? introspection.cpuRatio.median / check.cpuRatio.median : null
    const measured =
      ratio === null
        ? null
        : `${f(ratio)} by rate` +
          (byCpu === null ? '' : `; ${f(byCpu)} per CPU-second of the server`) +
          (check.cpuRatio?.median > 1
            ? `; the session check cost less server CPU per request than /healthz (${f(check.cpuRatio.median)} of its CPU rate), a scheduling effect, not a cost`
            : '')
    add(`introspection on ${label}`, "≥ 0.8 of GET /v1/session's rate", measured, ratio >= 0.8)
  }

  const cc = versus('peers', 'node-oidc-provider client_credentials')
  add(
    'client_credentials',
    '≥ 1.5× node-oidc-provider',
    // By rate, as the issue defines it; per CPU-second of each server process beside it: Tessera
    // signs on libuv's pool, the peer on its event loop, so the rate counts the second core.
    cc &&
      `${f(cc.ratio.median)}× (${f(cc.ratio.min)}–${f(cc.ratio.max)}) by rate` +
        (cc.cpuRatio
          ? `; ${f(cc.cpuRatio.median)}× (${f(cc.cpuRatio.min)}–${f(cc.cpuRatio.max)}) per CPU-second of the server process`
          : ''),
    cc?.ratio.median >= 1.5,
  )

  // Issue 17 target 4, "refresh rotation and token exchange ≥ 2× today's rates on SQLite": the issue
  // defines its targets as "each a ratio measured in one run", so the ratio to the code it was filed
  // with (02f258c, bench/suites/issuance.mjs §2d), measured in turn in this run, decides. The filed
  // machine's rates (1.5k and 1.0k/s, so 3.0k and 2.0k) are shown beside it for reference only: another
  // machine's loopback HTTP may be 3× slower (docs/architecture.md §9, "Target 4 of issue 17").
  const filedSection = sections.find((s) => s.id === 'issuance-filed')
  for (const [name, what, filedRate] of [
    ['token exchange', 'token exchange on SQLite', 1500],
    ['refresh-token rotation (20 chains)', 'refresh-token rotation on SQLite (20 chains)', 1000],
  ]) {
    const before = find(sections, 'issuance-filed', `${name}, 02f258c`)
    const after = find(sections, 'issuance-filed', `${name}, this build`)
    const target = '≥ 2× the rate of 02f258c (the code issue 17 was filed with), the two in turn in this run'
    if (filedSection?.notMeasured || !before || !after || !Number.isFinite(after.ratio?.median)) {
      const why = filedSection?.notMeasured ?? (after ? 'no round gave a ratio' : null)
      add(what, target, why && `not measured: ${why}`, null)
      continue
    }
    // CPU per request of this build's server over the filed one's, round by round.
    const cpu = spread(after.samples.map((s, i) => s.cpuUs / before.samples[i].cpuUs))
    add(
      what,
      target,
      `${f(after.ratio.median)}× (${f(after.ratio.min)}–${f(after.ratio.max)}) by rate over ${after.ratio.n} rounds: ` +
        `${f(before.rate.median, 0)} → ${f(after.rate.median, 0)} req/s; CPU per request ${f(cpu.median)} (${f(cpu.min)}–${f(cpu.max)}) of 02f258c's. ` +
        `For reference only: ${f(after.rate.median, 0)} req/s against ${f((2 * filedRate) / 1000, 1)}k/s, twice the ${f(filedRate / 1000, 1)}k/s ` +
        'measured on the machine issue 17 was filed on. The ratio decides "met": the issue defines each target as a ratio measured in one run',
      after.ratio.median >= 2,
    )
  }

  const signIn = find(sections, 'sign-in', 'sign-in, one at a time')
  add(
    'sign-in',
    'p50 ≤ 30 ms',
    signIn && `p50 ${f(signIn.p50.median, 1)} ms (${f(signIn.p50.min, 1)}–${f(signIn.p50.max, 1)})`,
    signIn?.p50.median <= 30,
  )

  const idle = find(sections, 'footprint', 'idle RSS (MB)')
  add(
    'memory, idle',
    'RSS ≤ 80 MB',
    idle && `${f(idle.rate.median, 0)} MB (${f(idle.rate.min, 0)}–${f(idle.rate.max, 0)})`,
    idle?.rate.median <= 80,
  )
  const loaded = find(sections, 'footprint', 'RSS after load (MB)')
  add(
    'memory, after the load phase',
    'RSS ≤ 150 MB',
    loaded && `${f(loaded.rate.median, 0)} MB (${f(loaded.rate.min, 0)}–${f(loaded.rate.max, 0)})`,
    loaded?.rate.median <= 150,
  )

  const start = find(sections, 'footprint', 'start-up to the first 200, cold')
  add(
    'start-up',
    '≤ 1 s',
    start && `cold ${f(start.rate.median, 0)} ms (${f(start.rate.min, 0)}–${f(start.rate.max, 0)})`,
    start?.rate.median <= 1000,
  )

  const propagation = sections.find((s) => s.id === 'revocation')
  const revocation = propagation?.data?.find((r) => r.count === 100)
  add(
    'revocation propagation to 100 subscribers',
    'p99 < 1 s',
    revocation && `p99 ${f(revocation.p99, 1)} ms, max ${f(revocation.max, 1)} ms`,
    revocation?.p99 < 1000,
  )
  const thousand = propagation?.data?.find((r) => r.count === 1000)
  add(
    'revocation propagation to 1,000 subscribers',
    'p99 < 100 ms',
    thousand &&
      `p99 ${f(thousand.p99, 1)} ms, max ${f(thousand.max, 1)} ms; server process RSS ${f(thousand.rssBefore, 0)} → ${f(thousand.rssOpen, 0)} MB with the streams open`,
    thousand?.p99 < 100,
  )
  const across = propagation?.crossInstance
  add(
    `revocation propagation across three instances on PostgreSQL (${across?.count ?? '–'} subscribers)`,
    'p99 < 250 ms',
    across && `p99 ${f(across.p99, 1)} ms, max ${f(across.max, 1)} ms`,
    across?.p99 < 250,
  )
  return targets
}
