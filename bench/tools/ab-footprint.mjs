// A/B of the footprint (bench/suites/footprint.mjs: cold and warm start-up, idle RSS, session
// checks, RSS after the load phase) between builds or settings, interleaved round by round.
// A variant is name=BIN[|node flags[|K=V,K=V]]; BIN is a bin/tessera.js (copy the package
// inside the worktree, e.g. cp -r packages/server .ab/server-before, so its imports resolve).
// --settle S: also the RSS S seconds after the load phase, then the session checks again (their
// rate and the server's CPU per check, µs), as measureOnce in bench/suites/footprint.mjs says.
//   node bench/tools/ab-footprint.mjs --rounds 5 --variant before=.ab/server-before/bin/tessera.js \
//     --variant after=packages/server/bin/tessera.js
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { startLoader } from '../lib/loader.mjs'
import { load } from '../lib/machine.mjs'
import { spread } from '../lib/stats.mjs'
import { measureOnce } from '../suites/footprint.mjs'

const { values } = parseArgs({
  options: {
    rounds: { type: 'string' },
    variant: { type: 'string', multiple: true },
    seconds: { type: 'string' },
    settle: { type: 'string' },
  },
})
const variants = (values.variant ?? []).map((spec) => {
  const [name, rest] = [spec.slice(0, spec.indexOf('=')), spec.slice(spec.indexOf('=') + 1)]
  const [bin, flags = '', env = ''] = rest.split('|')
  return {
    name,
    bin: resolve(bin),
    flags: flags.split(' ').filter(Boolean),
    env: Object.fromEntries(
      env
        .split(',')
        .filter(Boolean)
        .map((pair) => pair.split('=')),
    ),
    samples: [],
  }
})
if (variants.length === 0) throw new Error('give at least one --variant name=BIN[|flags[|K=V,...]]')
const rounds = Number(values.rounds ?? 5)
const loader = startLoader({ duration: Number(values.seconds ?? 4), connections: 50 })
console.log(`load average at start ${load().join(' ')}`)
try {
  for (let round = 0; round < rounds; round++) {
    for (const variant of variants) {
      const result = await measureOnce(loader, { ...variant, settle: Number(values.settle ?? 0) })
      variant.samples.push(result)
      const shown = Object.entries(result).map(([k, v]) => `${k} ${Math.round(v * 10) / 10}`)
      console.log(`round ${round + 1}/${rounds} ${variant.name}: ${shown.join(', ')}`)
    }
  }
} finally {
  loader.close()
}
console.log(`load average at end ${load().join(' ')}`)
const format = ({ median, min, max }) => `${Math.round(median)} (${Math.round(min)}–${Math.round(max)})`
const keys = [
  'cold',
  'warm',
  'idle',
  'ending',
  'loaded',
  'checks',
  'signIns',
  'signInP50',
  'settled',
  'cpuPerCheck',
  'checksAgain',
  'cpuPerCheckAgain',
]
for (const key of keys.filter((k) => k in variants[0].samples[0])) {
  console.log(`${key.padEnd(7)} ${variants.map((v) => `${v.name}: ${format(spread(v.samples.map((s) => s[key])))}`).join('   ')}`)
}
