// §4: start-up time to the first 200, idle RSS and RSS after load, of `tessera start` as a user
// runs it (the CLI, its own process, SQLite). Cold start: an empty data directory (migrations,
// master key, first signing key). Warm start: the same directory again.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, json, PASSWORD, signUp } from '../lib/harness.mjs'
import { row } from '../lib/stats.mjs'

const BIN = new URL('../../packages/server/bin/tessera.js', import.meta.url).pathname
const rssMb = (pid) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

async function start(dir) {
  const port = await freePort()
  const address = `http://127.0.0.1:${port}`
  const env = {
    ...process.env,
    TESSERA_DATA_DIR: dir,
    TESSERA_DATABASE_URL: `sqlite:${join(dir, 'tessera.db')}`,
    TESSERA_PORT: String(port),
    TESSERA_HOST: '127.0.0.1',
    TESSERA_ISSUER: address,
    TESSERA_LOG_LEVEL: 'silent',
    TESSERA_RATE_LIMIT_CREDENTIALS_PER_IP: '1000000',
  }
  const started = performance.now()
  const child = spawn(process.execPath, [BIN, 'start'], { env, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (chunk) => {
    stderr += chunk
  })
  for (;;) {
    if (child.exitCode !== null) throw new Error(`tessera start exited (${child.exitCode}): ${stderr.slice(0, 500)}`)
    const ok = await fetch(`${address}/healthz`).then(
      (r) => r.status === 200,
      () => false,
    )
    if (ok) break
    if (performance.now() - started > 30_000) throw new Error('tessera start: no 200 within 30 s')
    await pause(5)
  }
  const startup = performance.now() - started
  return {
    address,
    startup,
    pid: child.pid,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve)
        child.kill('SIGTERM')
      }),
  }
}

export async function run({ settings, loader, log }) {
  const cold = []
  const warm = []
  const idle = []
  const loaded = []
  for (let round = 0; round < settings.footprintStarts; round++) {
    log(`footprint round ${round + 1}`)
    const dir = mkdtempSync(join(tmpdir(), 'tessera-footprint-'))
    const first = await start(dir)
    cold.push({ rate: first.startup })
    await first.stop()
    const server = await start(dir)
    warm.push({ rate: server.startup })
    await pause(1000)
    idle.push({ rate: rssMb(server.pid) })
    const token = await signUp(server.address)
    await loader.run(`${server.address}/v1/session`, { headers: { authorization: `Bearer ${token}` } })
    const body = JSON.stringify({ email: 'bench@example.com', password: PASSWORD, transport: 'bearer' })
    await loader.run(`${server.address}/v1/sign-in`, { method: 'POST', headers: json, body, connections: 8 })
    loaded.push({ rate: rssMb(server.pid) })
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  }
  return [
    {
      id: 'footprint',
      title: '4. Footprint (`tessera start`, SQLite)',
      intro:
        'The CLI in its own process, polled on /healthz every 5 ms from the spawn. Cold: an empty data directory (migrations, master key, ' +
        'the first ES256 signing key). Warm: the same directory, started again. Idle RSS: 1 s after the first 200. After load: ' +
        `after ${settings.duration} s of session checks and ${settings.duration} s of sign-ins (8 concurrent; argon2id allocates 19 MiB per hash).`,
      unit: 'ms or MB',
      rows: [
        row('start-up to the first 200, cold (ms)', cold, null),
        row('start-up to the first 200, warm (ms)', warm, null),
        row('idle RSS (MB)', idle, null),
        row('RSS after load (MB)', loaded, null),
      ],
    },
  ]
}
