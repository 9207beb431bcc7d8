import { rmSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { testTempDir } from '../test-database.js'
import { freePort } from './free-port.js'
import { type RunningTessera, startTessera, stopTessera } from './tessera-process.js'

describe('tessera start with a metrics port', () => {
  const running: RunningTessera[] = []
  const dirs: string[] = []
  afterEach(async () => {
    await Promise.all(running.splice(0).map((each) => stopTessera(each)))
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  })

  it('serves /metrics without a token on TESSERA_METRICS_PORT, and with one only on the main port', async () => {
    const metricsPort = await freePort()
    const dataDir = testTempDir('tessera-metrics-')
    dirs.push(dataDir)
    const server = await startTessera({
      TESSERA_DATA_DIR: dataDir,
      TESSERA_METRICS_PORT: String(metricsPort),
      TESSERA_LOG_LEVEL: 'info',
    })
    running.push(server)
    expect((await fetch(`${server.base}/metrics`)).status).toBe(401)
    const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`)
    expect(response.status).toBe(200)
    const text = await response.text()
    // The readiness polls of the start-up are already counted, by route pattern.
    expect(text).toMatch(/tessera_http_request_duration_seconds_count\{method="GET",route="\/readyz",status="200"\} [1-9]/)
    // Logged after the server listens, so it may reach this process after the answers above.
    expect(await server.outputContaining(`http://127.0.0.1:${metricsPort}`)).toContain('Metrics (no authentication)')
  })
})
