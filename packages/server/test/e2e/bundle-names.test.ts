import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import SQLite from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { testTempDir } from '../test-database.js'
import { until } from './fault-harness.js'
import { type RunningTessera, startTessera, stopTessera } from './tessera-process.js'

// Issue 17: the `tessera` command runs a bundle (scripts/bundle-cli.mjs), and a bundler renames a
// module's top-level function when another module bundled into the same chunk has one of the same
// name (308 functions, `toStored` of events/event-outbox.ts became `toStored$1`). With rolldown's
// keepNames the name property is set back, and V8 names a stack frame by it: a stack trace in the
// log names the function the source has. Here a background task fails on an outbox row that is not
// JSON (a bug worth a stack: app/expected-failures.ts logs it with one).

interface LogLine {
  msg?: string
  err?: { type?: string; stack?: string }
}

function errorLines(output: string): LogLine[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine)
    .filter((line) => line.err?.stack !== undefined)
}

describe('the bundled tessera command', () => {
  const cleanups: (() => Promise<void> | void)[] = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })

  it('names each function of a logged stack trace as the source does, not as the bundle renamed it', async () => {
    const dataDir = testTempDir('tessera-names-')
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }))
    const server: RunningTessera = await startTessera({
      TESSERA_DATA_DIR: dataDir,
      TESSERA_MASTER_KEY: randomBytes(32).toString('base64url'),
      TESSERA_LOG_LEVEL: 'error',
    })
    cleanups.push(async () => void (await stopTessera(server)))

    const other = new SQLite(join(dataDir, 'tessera.db'))
    cleanups.push(() => void other.close())
    other.pragma('busy_timeout = 5000')
    other
      .prepare('insert into event_outbox (type, actor, user_id, payload, ip, created_at) values (?, ?, null, ?, null, ?)')
      .run('session.revoked', '{not json', '{}', Date.now())

    await until(() => errorLines(server.output()).length > 0, 20_000, 'a background task logged its failure', server.output)
    const [line] = errorLines(server.output())
    expect(line?.err?.type).toBe('SyntaxError')
    const frames = (line?.err?.stack ?? '').split('\n').filter((frame) => frame.trimStart().startsWith('at '))
    expect(frames.some((frame) => frame.includes(' toStored ('))).toBe(true)
    // No frame carries a bundler's suffix (`name$1`).
    expect(frames.filter((frame) => /at (async )?[\w.$]*\$\d+ /.test(frame))).toEqual([])
  })
})
