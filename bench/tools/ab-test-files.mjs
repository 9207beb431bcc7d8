// Before/after of test files' wall time: the same files run by `vitest run`, one file at a time,
// alternately in two checkouts (e.g. `git archive <before> | tar -x -C /tmp/before`, with
// node_modules linked from the working tree), the order flipped each round so that a change in the
// machine's load falls on both sides. Prints per file and side the median of the rounds with
// min–max, and the sum of the test durations split into SQLite and PostgreSQL tests (by the test's
// name), which is where the set-up of each test's database shows.
// Usage: node bench/tools/ab-test-files.mjs <checkout-before> <checkout-after> <rounds> <test file>...
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { spread } from '../lib/stats.mjs'

const [before, after, roundsArg, ...files] = process.argv.slice(2)
if (!before || !after || !files.length) {
  console.error('usage: node bench/tools/ab-test-files.mjs <checkout-before> <checkout-after> <rounds> <test file>...')
  process.exit(2)
}
const rounds = Number(roundsArg)
const out = mkdtempSync(join(tmpdir(), 'tessera-ab-tests-'))
const runs = new Map() // `${file}\t${side}` → [{ wall, sqlite, postgres }]

function runOnce(file, side) {
  const report = join(out, `${basename(file)}.${side}.${runs.size}.json`)
  const started = process.hrtime.bigint()
  const result = spawnSync('npx', ['vitest', 'run', file, '--reporter=json', `--outputFile=${report}`], {
    cwd: side === 'before' ? before : after,
    stdio: 'ignore',
  })
  const wall = Number(process.hrtime.bigint() - started) / 1e9
  if (result.status !== 0) throw new Error(`${file} failed on the ${side} side (exit ${result.status})`)
  const tests = JSON.parse(readFileSync(report, 'utf8')).testResults.flatMap((each) => each.assertionResults)
  const sum = (pick) => tests.filter(pick).reduce((total, test) => total + (test.duration ?? 0), 0) / 1000
  const onPostgres = (test) => test.fullName.includes('postgres')
  return { wall, sqlite: sum((test) => !onPostgres(test)), postgres: sum(onPostgres) }
}

for (let round = 0; round < rounds; round++) {
  for (const [index, file] of files.entries()) {
    const sides = (round + index) % 2 === 0 ? ['before', 'after'] : ['after', 'before']
    for (const side of sides) {
      const key = `${file}\t${side}`
      runs.set(key, [...(runs.get(key) ?? []), runOnce(file, side)])
      console.error(`round ${round + 1} ${basename(file)} ${side} done, load ${loadavg()[0].toFixed(1)}`)
    }
  }
}

for (const file of files) {
  for (const side of ['before', 'after']) {
    const samples = runs.get(`${file}\t${side}`)
    const seconds = (pick) => spread(samples.map(pick))
    const show = ({ median, min, max }) => `${median.toFixed(1)} s (${min.toFixed(1)}–${max.toFixed(1)})`
    console.log(
      `${basename(file)} ${side}: wall ${show(seconds((run) => run.wall))}; ` +
        `other (SQLite) tests ${show(seconds((run) => run.sqlite))}; PostgreSQL tests ${show(seconds((run) => run.postgres))}`,
    )
  }
}
