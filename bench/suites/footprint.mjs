// §4: start-up time to the first 200, idle RSS and RSS after load, of `tessera start` as a user
// runs it (the CLI, its own process, SQLite). Cold start: an empty data directory (migrations,
// master key, first signing key). Warm start: the same directory again.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { json, PASSWORD, signUp } from '../lib/harness.mjs'
import { row } from '../lib/stats.mjs'
import { startTesseraProcess } from '../lib/tessera-process.mjs'

const rssMb = (pid) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
/** The process's CPU time so far (user + system, all threads), in ms. */
const cpuMs = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100
}

// The `tessera` command keeps V8's young generation small while it starts (shared/young-generation.ts);
// request load then grows it to 2 × 16 MB. Capping it under load is an operator's choice
// (NODE_OPTIONS, docs/operations.md); measured here beside the default, with the session-check rate it costs.
const SMALL_YOUNG_GENERATION = ['--max-semi-space-size=4']

/**
 * One cold start, one warm start, the idle RSS 1 s after the warm start's first 200, the session
 * checks and sign-ins of the load phase, the RSS as the load phase ends and 1 s after it (also used
 * by bench/tools/ab-footprint.mjs to compare two builds). When the load generator stops, the
 * sign-ins it sent last are still hashing on libuv's threads (argon2id, 19 MiB each, freed when
 * done): `ending` counts them, `loaded` is the server after them. With `settle` (seconds, for
 * bench/tools/ab-footprint.mjs): the RSS that long after the load phase (`settled`), then the same
 * session checks again (`checksAgain`, and the server's CPU per check in µs, `cpuPerCheck` and
 * `cpuPerCheckAgain`), to see what an idle server gives back and what the next load pays for it.
 */
export async function measureOnce(loader, { flags = [], bin, env = {}, settle = 0 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-footprint-'))
  try {
    const first = await startTesseraProcess(dir, { nodeFlags: flags, bin, env })
    await first.stop()
    const server = await startTesseraProcess(dir, { nodeFlags: flags, bin, env })
    try {
      await pause(1000)
      const idle = rssMb(server.pid)
      const token = await signUp(server.address)
      const sessionChecks = async () => {
        const cpu = cpuMs(server.pid)
        const result = await loader.run(`${server.address}/v1/session`, { headers: { authorization: `Bearer ${token}` } })
        return { rate: result.rate, cpuPerCheck: ((cpuMs(server.pid) - cpu) * 1000) / result.total }
      }
      const checks = await sessionChecks()
      const body = JSON.stringify({ email: 'bench@example.com', password: PASSWORD, transport: 'bearer' })
      const signIns = await loader.run(`${server.address}/v1/sign-in`, { method: 'POST', headers: json, body, connections: 8 })
      const ending = rssMb(server.pid)
      await pause(1000)
      const result = {
        cold: first.startup,
        warm: server.startup,
        idle,
        checks: checks.rate,
        signIns: signIns.rate,
        signInP50: signIns.p50,
        ending,
        loaded: rssMb(server.pid),
      }
      if (settle <= 1) return result
      await pause((settle - 1) * 1000)
      const settled = rssMb(server.pid)
      const again = await sessionChecks()
      return { ...result, settled, cpuPerCheck: checks.cpuPerCheck, checksAgain: again.rate, cpuPerCheckAgain: again.cpuPerCheck }
    } finally {
      await server.stop()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export async function run({ settings, loader, log }) {
  const cold = []
  const warm = []
  const variants = [
    { name: 'default', flags: [], idle: [], ending: [], loaded: [], checks: [] },
    { name: SMALL_YOUNG_GENERATION.join(' '), flags: SMALL_YOUNG_GENERATION, idle: [], ending: [], loaded: [], checks: [] },
  ]
  for (let round = 0; round < settings.footprintStarts; round++) {
    log(`footprint round ${round + 1}`)
    for (const variant of variants) {
      const result = await measureOnce(loader, { flags: variant.flags })
      if (variant.flags.length === 0) {
        cold.push({ rate: result.cold })
        warm.push({ rate: result.warm })
      }
      variant.idle.push({ rate: result.idle })
      variant.checks.push({ rate: result.checks })
      variant.ending.push({ rate: result.ending })
      variant.loaded.push({ rate: result.loaded })
    }
  }
  const [standard, small] = variants
  return [
    {
      id: 'footprint',
      title: '4. Footprint (`tessera start`, SQLite)',
      intro:
        'The CLI in its own process, polled on /healthz every 5 ms from the spawn. Cold: an empty data directory (migrations, master key, ' +
        'the first ES256 signing key). Warm: the same directory, started again. Idle RSS: 1 s after the first 200. After load: ' +
        `1 s after ${settings.duration} s of session checks and ${settings.duration} s of sign-ins (8 concurrent; argon2id allocates 19 MiB per hash, ` +
        'freed when the hash is done); the row "as the load phase ends" is the same server at the instant the load generator stops, ' +
        'when the last sign-ins it sent are still hashing. ' +
        'The `tessera` command holds V8\'s young generation at its initial size while it starts (architecture.md §9, "Memory"). ' +
        `The last rows run the same with \`node ${small.name}\` (a 4 MB young-generation semi-space instead of V8's 16 MB under load), an operator's ` +
        'choice through NODE_OPTIONS; its session-check rate is reported beside the default.',
      unit: 'ms, MB or req/s',
      rows: [
        row('start-up to the first 200, cold (ms)', cold, null),
        row('start-up to the first 200, warm (ms)', warm, null),
        row('idle RSS (MB)', standard.idle, null),
        row('RSS after load (MB)', standard.loaded, null),
        row('RSS as the load phase ends, sign-ins still hashing (MB)', standard.ending, null),
        row('session checks during the load phase (req/s)', standard.checks, null),
        row(`idle RSS, ${small.name} (MB)`, small.idle, null),
        row(`RSS after load, ${small.name} (MB)`, small.loaded, null),
        row(`session checks during the load phase, ${small.name} (req/s)`, small.checks, null),
      ],
    },
  ]
}
