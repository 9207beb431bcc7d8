// Where `tessera start` spends its memory, phase by phase (issue 17, architecture.md §9):
// process.memoryUsage(), V8's heap spaces and /proc/self/smaps grouped by mapping after the
// imports, createTessera, app(), listen, the first request and 1 s idle, in one process, as the
// CLI runs them. Optional: --snapshot FILE writes a heap snapshot at idle (summarise it with
// bench/tools/heap-summary.mjs). The request goes through node:http, which the server loads
// anyway, so the client adds nothing to the figures (fetch would load undici).
//   node bench/tools/footprint-phases.mjs [--dist DIR] [--snapshot FILE] [--unmanaged]

import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { get } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import v8 from 'node:v8'
import { freePort, startEnv } from '../lib/tessera-env.mjs'

const { values } = parseArgs({
  options: { dist: { type: 'string' }, snapshot: { type: 'string' }, unmanaged: { type: 'boolean' } },
})
const dist = values.dist ?? new URL('../../packages/server/dist', import.meta.url).pathname
const MB = (bytes) => (bytes / 1048576).toFixed(1)
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

function smaps() {
  const groups = new Map()
  let current = '[anon]'
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const mapping = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line)
    if (mapping) {
      const name = mapping[1] || '[anon]'
      current = name.includes('node_modules') ? 'native addons' : name.startsWith('/usr/lib') ? 'shared libraries' : name
    } else if (line.startsWith('Rss:')) {
      groups.set(current, (groups.get(current) ?? 0) + Number(line.split(/\s+/)[1]) * 1024)
    }
  }
  return [...groups].sort((a, b) => b[1] - a[1]).slice(0, 5)
}

const rows = []
function phase(name) {
  const usage = process.memoryUsage()
  const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, s]))
  rows.push({
    phase: name,
    rss: MB(usage.rss),
    heapTotal: MB(usage.heapTotal),
    heapUsed: MB(usage.heapUsed),
    external: MB(usage.external),
    young: MB(spaces.new_space.space_size),
    code: MB(spaces.code_space.space_used_size),
    old: MB(spaces.old_space.space_used_size),
    mappings: smaps()
      .map(([n, b]) => `${n.replace(/^.*\//, '')} ${MB(b)}`)
      .join(', '),
  })
}

phase('node started')
// As bin/tessera.js: the young generation is held until the server listens (architecture.md §9).
// --unmanaged: V8's own young-generation sizing (builds before it was managed).
const releaseYoungGeneration = values.unmanaged
  ? () => {}
  : (await import(`${dist}/shared/young-generation.js`)).manageYoungGeneration(process).hold()
const dir = mkdtempSync(join(tmpdir(), 'tessera-phases-'))
const port = await freePort()
const address = `http://127.0.0.1:${port}`
const env = { ...process.env, ...startEnv(dir, port) }
const { loadConfig } = await import(`${dist}/config/load-config.js`)
const { createTessera } = await import(`${dist}/app/tessera.js`)
await import(`${dist}/cli/run-cli.js`)
phase('imports')
const tessera = await createTessera(loadConfig({ env, cwd: dir }))
phase('createTessera')
const app = await tessera.app()
phase('app()')
await tessera.startBackgroundTasks()
await app.listen({ port, host: '127.0.0.1' })
releaseYoungGeneration()
phase('listen')
await new Promise((resolve, reject) => get(`${address}/healthz`, (response) => response.resume().on('end', resolve)).on('error', reject))
phase('first request')
await pause(1000)
phase('idle 1 s')
if (values.snapshot) {
  v8.writeHeapSnapshot(values.snapshot)
  phase('after snapshot')
}
await tessera.close()
rmSync(dir, { recursive: true, force: true })
console.table(rows)
