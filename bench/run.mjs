// The benchmark suite: `npm run bench` (full, about 13 minutes on a shared 2-core machine, ~5 more the first time for the
// build issue 17 was filed with, lib/filed-build.mjs; stopped at 30), `npm run bench -- --quick`
// (the CI smoke, under 2 minutes). Writes docs/benchmarks.md and docs/benchmarks/*.svg, or
// <dir>/benchmarks.md with --out <dir>.
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { findings } from './lib/findings.mjs'
import { startLoader } from './lib/loader.mjs'
import { load, machine } from './lib/machine.mjs'
import { writeReport } from './lib/report.mjs'
import { FULL, parseArgs, QUICK } from './lib/settings.mjs'
import { evaluateTargets } from './targets.mjs'

const SUITES = ['verify-in-process', 'verify-http', 'issuance', 'revocation', 'footprint', 'peers']
const args = parseArgs(process.argv.slice(2))
const settings = args.quick ? QUICK : FULL
const out = resolve(args.out ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'docs'))
const bound = (args.quick ? 3 : 30) * 60_000
const timer = setTimeout(() => {
  console.error(`bench: still running after ${bound / 60_000} minutes; giving up`)
  process.exit(2)
}, bound)
timer.unref()

if (args.from) {
  // Render the report again from the figures of an earlier run (its results.json), measuring nothing.
  const saved = JSON.parse(readFileSync(args.from, 'utf8'))
  const targets = evaluateTargets(saved.sections)
  const analysis = findings(saved.sections, targets)
  const dates = { started: new Date(saved.started), finished: new Date(saved.finished) }
  writeReport(out, { ...saved, ...dates, targets, analysis })
  writeFileSync(join(out, 'benchmarks', 'results.json'), `${JSON.stringify({ ...saved, targets }, null, 2)}\n`)
  console.log(`rendered ${join(out, 'benchmarks.md')} from ${args.from}`)
  process.exit(0)
}

const started = new Date()
const loadStart = load()
const log = (line) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`)
log(`bench (${settings.name}): load average ${loadStart.join(' ')}, writing to ${out}`)
const loader = startLoader(settings)
const sections = []
try {
  for (const name of SUITES) {
    if (args.only && !args.only.includes(name)) continue
    log(`suite ${name}`)
    const suite = await import(`./suites/${name}.mjs`)
    sections.push(...(await suite.run({ settings, loader, log })))
  }
} finally {
  loader.close()
}
const loadEnd = load()
const targets = evaluateTargets(sections)
const analysis = findings(sections, targets)
const finished = new Date()
writeReport(out, { machine: machine(), settings, started, finished, loadStart, loadEnd, sections, targets, analysis })
// The raw figures beside the report, to check it or to draw other charts from.
writeFileSync(
  join(out, 'benchmarks', 'results.json'),
  `${JSON.stringify({ machine: machine(), settings, started, finished, loadStart, loadEnd, sections, targets }, null, 2)}\n`,
)
log(`done: ${join(out, 'benchmarks.md')}`)
process.exit(0)
