// Target 4 of issue 17 as bench/targets.mjs reads it from §2d (bench/suites/issuance.mjs): met by the
// median rate ratio to the filed build, never met when that comparison was not made.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { row } from './lib/stats.mjs'
import { evaluateTargets } from './targets.mjs'

const EXCHANGE = 'token exchange on SQLite'
const REFRESH = 'refresh-token rotation on SQLite (20 chains)'

/** §2d with these rates (req/s, round by round) and CPU per request (µs) of each build. */
function filedSection({ filed, current, filedCpu = filed.map(() => 400), currentCpu = current.map(() => 200) }) {
  const samples = (rates, cpu) => rates.map((rate, i) => ({ rate, cpuUs: cpu[i], cpuRate: 1e6 / cpu[i] }))
  const rows = []
  for (const name of ['token exchange', 'refresh-token rotation (20 chains)']) {
    const before = samples(filed, filedCpu)
    rows.push(row(`${name}, 02f258c`, before, before), row(`${name}, this build`, samples(current, currentCpu), before))
  }
  return { id: 'issuance-filed', rows }
}
const target = (sections, what) => evaluateTargets(sections).find((t) => t.what === what)

describe('issue 17 target 4', () => {
  it('is met when the median round-by-round ratio to the filed build is at least 2', () => {
    const met = target([filedSection({ filed: [500, 600, 700], current: [1000, 1250, 1300] })], EXCHANGE)
    assert.equal(met.met, true)
    assert.match(met.measured, /^2\.00× \(1\.86–2\.08\) by rate over 3 rounds: 600 → 1250 req\/s; CPU per request 0\.50/)
    assert.match(met.measured, /1250 req\/s against 3\.0k\/s, twice the 1\.5k\/s .* The ratio decides "met"/)
    const missed = target([filedSection({ filed: [500, 600, 700], current: [990, 1190, 1390] })], REFRESH)
    assert.equal(missed.met, false)
  })

  it('is not met by a rate above the filed machine’s 3.0k/s when the ratio is below 2', () => {
    const fast = target([filedSection({ filed: [2000, 2000], current: [3500, 3600] })], EXCHANGE)
    assert.equal(fast.met, false)
  })

  it('reads "not measured" with the reason, never met, when the comparison was not made', () => {
    const reason = "this clone's history lacks 02f258c (a shallow clone: `git fetch --unshallow` brings it)"
    for (const what of [EXCHANGE, REFRESH]) {
      const unmeasured = target([{ id: 'issuance-filed', notMeasured: reason }], what)
      assert.equal(unmeasured.met, null)
      assert.equal(unmeasured.measured, `not measured: ${reason}`)
      assert.equal(target([], what).met, null)
    }
    const empty = target([filedSection({ filed: [Number.NaN], current: [Number.NaN] })], EXCHANGE)
    assert.equal(empty.met, null)
    assert.match(empty.measured, /^not measured/)
  })
})

/** One case's rate and requests per CPU-second, the same in each of three rounds. */
const steady = (rate, cpuRate) => ({ rates: [rate, rate, rate], cpuRates: [cpuRate, cpuRate, cpuRate] })

/** §1c with /healthz, the session check and introspection on one dialect: rates and requests per CPU-second, round by round. */
function sessionCheckSection(dialect, { healthz, check, introspection }) {
  const samples = ({ rates, cpuRates }) => rates.map((rate, i) => ({ rate, cpuRate: cpuRates[i] }))
  const base = samples(healthz)
  return {
    id: 'session-check',
    rows: [
      row('GET /healthz on Tessera (baseline)', base, base),
      row(`GET /v1/session, ${dialect}`, samples(check), base),
      row(`POST /oauth/introspect (opaque token), ${dialect}`, samples(introspection), base),
    ],
  }
}

describe('issue 17 target 3', () => {
  it('is decided by the rate quotient; the quotient per CPU-second is shown beside it', () => {
    const section = sessionCheckSection('SQLite', {
      healthz: steady(10000, 10000),
      check: steady(7000, 7000),
      introspection: steady(5000, 6000),
    })
    const missed = target([section], 'introspection on SQLite')
    assert.equal(missed.met, false)
    assert.equal(missed.measured, '0.71 by rate; 0.86 per CPU-second of the server')
  })

  it('says when the session check cost less server CPU per request than /healthz', () => {
    const section = sessionCheckSection('PostgreSQL', {
      healthz: steady(10000, 10000),
      check: steady(12000, 12500),
      introspection: steady(10000, 10000),
    })
    const met = target([section], 'introspection on PostgreSQL')
    assert.equal(met.met, true)
    assert.match(
      met.measured,
      /^0\.83 by rate; 0\.80 per CPU-second of the server; the session check cost less server CPU per request than \/healthz \(1\.25 of its CPU rate\)/,
    )
  })
})

describe('issue 17 target 2 on SQLite', () => {
  it('is decided by the rate ratio to better-auth; the ratio per CPU-second of the two servers is shown beside it', () => {
    const peers = {
      id: 'peers',
      rows: [
        {
          name: 'better-auth get-session, SQLite, no cookie cache',
          ratio: { min: 13.3, median: 14.8, max: 15.0 },
          cpuRatio: { min: 17.3, median: 19.3, max: 19.7 },
        },
      ],
    }
    const missed = target([peers], 'session check over HTTP on SQLite')
    assert.equal(missed.met, false)
    assert.equal(missed.measured, '14.8× (13.3–15.0) by rate; 19.3× (17.3–19.7) per CPU-second of the server process')
  })
})
