// Shared bench plumbing: an in-process Tessera on a temporary SQLite file, and autocannon in a
// child process so the load generator never shares the server's event loop.
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { createTessera, loadConfig } from 'tessera'

export const DURATION = Number(process.env.BENCH_DURATION ?? 5)
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)

export async function startTessera(overrides = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-'))
  const config = loadConfig({
    env: {},
    overrides: {
      databaseUrl: `sqlite:${join(dir, 'tessera.db')}`,
      dataDir: dir,
      logLevel: 'silent',
      issuer: 'http://localhost:4000',
      rateLimit: { credentialRequestsPerIp: 1_000_000 },
      ...overrides,
    },
  })
  const tessera = await createTessera(config)
  const app = await tessera.app()
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  return {
    tessera,
    config,
    address,
    async close() {
      await tessera.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

const autocannonBin = new URL('../../node_modules/autocannon/autocannon.js', import.meta.url).pathname

/** Runs autocannon against one URL; refuses results with any non-2xx answer or error. */
export async function load(url, { method = 'GET', headers = {}, body } = {}) {
  const args = [autocannonBin, '--json', '-c', String(CONNECTIONS), '-d', String(DURATION), '-m', method]
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}=${value}`)
  if (body !== undefined) args.push('-b', body)
  const { stdout } = await promisify(execFile)(process.execPath, [...args, url], { maxBuffer: 1 << 24 })
  const result = JSON.parse(stdout)
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${method} ${url}: ${result.non2xx} non-2xx, ${result.errors} errors`)
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 }
}

export function header(title) {
  console.log(`\n${title}, ${new Date().toISOString()}, Node ${process.version}, ${cpus().length} cores, ${cpus()[0]?.model ?? ''}`)
}

export function table(rows, baseline) {
  console.log('\n| Case | req/s | p50 ms | p99 ms | ratio to baseline |\n| --- | --- | --- | --- | --- |')
  for (const [name, r] of rows)
    console.log(`| ${name} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${(r.rps / baseline.rps).toFixed(2)} |`)
}

export const json = { 'content-type': 'application/json' }
export const form = { 'content-type': 'application/x-www-form-urlencoded' }

export function basic(id, secret) {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`
}
