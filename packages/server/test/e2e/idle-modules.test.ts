import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { testTempDir } from '../test-database.js'
import { freePort } from './free-port.js'
import { type RunningTessera, startTessera, stopTessera } from './tessera-process.js'

// Issue 17 (target 5, idle RSS): what an idle `tessera start` must not load, because it loads on
// first use (docs/architecture.md §9, "Memory"). The executable is a bundle, so a library inlined
// into an eagerly loaded chunk would not show as a module of its own: the test reads the source
// map of every file the process loaded, which names each module bundled into it.

const REGISTER = fileURLToPath(new URL('./loaded-modules/register.mjs', import.meta.url))

/** Loaded on first use: the feature's first request, scrape or command. */
const ON_FIRST_USE = [
  'ajv',
  'ajv-formats',
  'fast-uri',
  '@fastify/ajv-compiler',
  '@fastify/fast-json-stringify-compiler',
  'prom-client',
  '@opentelemetry/api',
  'openid-client',
  'oauth4webapi',
  'otpauth',
  '@simplewebauthn/server',
  'nodemailer',
  'qrcode',
  'pg',
  'ioredis',
  '@zxcvbn-ts/core',
  'light-my-request',
]
const ON_FIRST_USE_PATH = new RegExp(`node_modules/(${ON_FIRST_USE.map((name) => name.replace('/', '\\/')).join('|')})/`)
/** The CLI's other command groups (cli/run-cli.ts): `start` loads its own only. */
const OTHER_COMMANDS = /\/cli\/(?!start-command)[a-z-]+-commands?\.js$/

/** Every module file the process loaded and, for a bundle's chunk, every module its source map names. */
function loadedModules(log: string): string[] {
  const files = [...new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean))].map((url) => fileURLToPath(url))
  return files.flatMap((file) => {
    const map = `${file}.map`
    if (!existsSync(map)) return [file]
    const { sources } = JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] }
    return [file, ...sources.map((source) => join(file, '..', source))]
  })
}

describe('an idle tessera start', () => {
  const running: RunningTessera[] = []
  const dirs: string[] = []
  afterEach(async () => {
    await Promise.all(running.splice(0).map((each) => stopTessera(each)))
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  })

  it('loads none of the libraries and commands that load on first use, and loads prom-client at the first scrape', async () => {
    const dataDir = testTempDir('tessera-idle-modules-')
    dirs.push(dataDir)
    const log = join(dataDir, 'modules.log')
    const metricsPort = await freePort()
    const server = await startTessera(
      { TESSERA_DATA_DIR: dataDir, TESSERA_METRICS_PORT: String(metricsPort), LOADED_MODULES_LOG: log },
      { nodeFlags: ['--import', REGISTER] },
    )
    running.push(server)
    expect((await fetch(`${server.base}/healthz`)).status).toBe(200)

    const idle = loadedModules(log)
    expect(idle.some((file) => file.includes('node_modules/kysely/'))).toBe(true) // the map names bundled packages
    expect(idle.filter((file) => ON_FIRST_USE_PATH.test(file) || OTHER_COMMANDS.test(file))).toEqual([])

    // The same reading sees a library once its feature is used: the first scrape loads prom-client.
    expect((await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).status).toBe(200)
    expect(loadedModules(log).some((file) => file.includes('node_modules/prom-client/'))).toBe(true)
  })
})
