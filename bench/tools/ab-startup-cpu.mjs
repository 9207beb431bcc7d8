// A/B of `tessera start` without request load (architecture.md §9, "Memory"): per round and
// variant, a cold start (empty data directory) and a warm start (the same directory again), each
// measured as the server's own CPU time (user + system, /proc/PID/stat) at its first 200 on
// /healthz, and the idle RSS 1 s after the warm start's first 200. CPU time holds under the load
// of a shared machine where the wall time to the first 200 does not. Interleaved round by round.
// A variant is name=BIN (a bin/tessera.js, e.g. of a copy of packages/server inside the worktree).
//   node bench/tools/ab-startup-cpu.mjs --rounds 7 --variant before=.ab/server-before/bin/tessera.js \
//     --variant after=packages/server/bin/tessera.js
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { load } from '../lib/machine.mjs'
import { spread } from '../lib/stats.mjs'
import { startTesseraProcess } from '../lib/tessera-process.mjs'

const { values } = parseArgs({ options: { rounds: { type: 'string' }, variant: { type: 'string', multiple: true } } })
const variants = (values.variant ?? []).map((spec) => ({
  name: spec.slice(0, spec.indexOf('=')),
  bin: resolve(spec.slice(spec.indexOf('=') + 1)),
  samples: [],
}))
if (variants.length === 0) throw new Error('give at least one --variant name=BIN')
const pause = (ms) => new Promise((done) => setTimeout(done, ms))
// Linux's USER_HZ is 100 on every platform Node supports, so a tick is 10 ms.
const cpuMs = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}
const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024

async function measureOnce(bin) {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-startup-cpu-'))
  try {
    const cold = await startTesseraProcess(dir, { bin })
    const coldCpu = cpuMs(cold.pid)
    await cold.stop()
    const warm = await startTesseraProcess(dir, { bin })
    try {
      const warmCpu = cpuMs(warm.pid)
      await pause(1000)
      return { coldCpu, warmCpu, cold: cold.startup, warm: warm.startup, idle: rssMb(warm.pid) }
    } finally {
      await warm.stop()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const rounds = Number(values.rounds ?? 7)
console.log(`load average at start ${load().join(' ')}`)
for (let round = 0; round < rounds; round++) {
  for (const variant of variants) {
    const result = await measureOnce(variant.bin)
    variant.samples.push(result)
    console.log(
      `round ${round + 1}/${rounds} ${variant.name}: ${Object.entries(result)
        .map(([k, v]) => `${k} ${Math.round(v)}`)
        .join(', ')}`,
    )
  }
}
console.log(`load average at end ${load().join(' ')}`)
// Idle RSS to 0.1 MB: the levers it compares are often 0.5–2 MB.
const format = ({ median, min, max }, digits) => `${median.toFixed(digits)} (${min.toFixed(digits)}–${max.toFixed(digits)})`
for (const key of ['coldCpu', 'warmCpu', 'cold', 'warm', 'idle']) {
  const digits = key === 'idle' ? 1 : 0
  console.log(`${key.padEnd(8)} ${variants.map((v) => `${v.name}: ${format(spread(v.samples.map((s) => s[key])), digits)}`).join('   ')}`)
}
