// The benchmark suite: `npm run bench` (full, about 15 minutes, stopped at 30), `npm run bench -- --quick`
// (the CI smoke, under 2 minutes). Writes docs/benchmarks.md and docs/benchmarks/*.svg, or
// <dir>/benchmarks.md with --out <dir>.
import { writeFileSync } from 'node:fs'
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
const notes = [
  `The machine was shared during the run (load average ${loadStart[0]} at the start, ${loadEnd[0]} at the end, on ${machine().cores} cores):`,
  'absolute rates are lower and noisier than on an idle machine. Read the ratios.',
]
const targets = evaluateTargets(sections)
const analysis = findings(sections, targets)
const finished = new Date()
writeReport(out, { machine: machine(), settings, started, finished, loadStart, loadEnd, sections, targets, notes, analysis })
// The raw figures beside the report, to check it or to draw other charts from.
writeFileSync(
  join(out, 'benchmarks', 'results.json'),
  `${JSON.stringify({ machine: machine(), settings, started, finished, loadStart, loadEnd, sections, targets }, null, 1)}\n`,
)
log(`done: ${join(out, 'benchmarks.md')}`)
process.exit(0)
