// lib/preparation-lock.mjs: one holder at a time, a dead holder's lock taken over, a live one waited
// for within a bound; and the filed build prepared once by two runs started together.
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { filedBuild, filedBuildPaths, runCommand } from './filed-build.mjs'
import { withPreparationLock } from './preparation-lock.mjs'

let dir
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'preparation-lock-test-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

/** The pid of a process that has exited. */
function deadPid() {
  const child = spawn(process.execPath, ['-e', ''])
  return new Promise((resolve) => child.once('exit', () => resolve(child.pid)))
}

describe('the preparation lock', () => {
  it('runs one holder at a time and removes the lock after', async () => {
    const lock = join(dir, 'build.lock')
    const order = []
    let release
    const first = withPreparationLock(
      lock,
      async () => {
        order.push('first in')
        await new Promise((resolve) => {
          release = resolve
        })
        order.push('first out')
      },
      { waitMs: 5000, pollMs: 10 },
    )
    const said = []
    const second = withPreparationLock(lock, async () => order.push('second in'), {
      waitMs: 5000,
      pollMs: 10,
      log: (line) => said.push(line),
    })
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.deepEqual(order, ['first in'])
    release()
    await Promise.all([first, second])
    assert.deepEqual(order, ['first in', 'first out', 'second in'])
    assert.match(said[0], /waiting for another process \(pid \d+\)/)
    assert.equal(existsSync(lock), false)
  })

  it('takes over a lock whose holder no longer runs', async () => {
    const lock = join(dir, 'build.lock')
    mkdirSync(lock)
    writeFileSync(join(lock, 'owner'), String(await deadPid()))
    assert.equal(await withPreparationLock(lock, async () => 'done', { waitMs: 1000, pollMs: 10 }), 'done')
  })

  it('gives up on a live holder after the bound, naming it, and leaves its lock alone', async () => {
    const lock = join(dir, 'build.lock')
    mkdirSync(lock)
    writeFileSync(join(lock, 'owner'), String(process.ppid))
    let ran = false
    await assert.rejects(
      withPreparationLock(
        lock,
        async () => {
          ran = true
        },
        { waitMs: 100, pollMs: 10 },
      ),
      new RegExp(`another process \\(pid ${process.ppid}\\) held .* for over 0 s`),
    )
    assert.equal(ran, false)
    assert.equal(existsSync(join(lock, 'owner')), true)
  })

  it('releases the lock when the task fails', async () => {
    const lock = join(dir, 'build.lock')
    await assert.rejects(
      withPreparationLock(lock, async () => Promise.reject(new Error('step failed')), { waitMs: 100 }),
      /step failed/,
    )
    assert.equal(existsSync(lock), false)
  })
})

describe('the filed build, two runs at once', () => {
  it('is prepared once: the second run waits and reuses it', async () => {
    const git = (...args) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir, encoding: 'utf8' }).trim()
    git('init', '-q')
    git('commit', '-q', '--allow-empty', '-m', 'only')
    const revision = git('rev-parse', 'HEAD')
    const steps = []
    const run = async (command, args, options) => {
      if (command === 'git' && ['cat-file', 'rev-parse'].includes(args[0])) return runCommand(command, args, options)
      steps.push(`${command} ${args[0]}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
      return { stdout: '', stderr: '' }
    }
    const [a, b] = await Promise.all([filedBuild({ root: dir, revision, run }), filedBuild({ root: dir, revision, run })])
    assert.equal(a.ok && b.ok, true)
    assert.deepEqual([a.reused, b.reused].sort(), [false, true])
    // Every command of the preparation once (git archive's three, npm ci, npm rebuild, tsc, the check).
    assert.equal(steps.length, 7)
    assert.equal(existsSync(`${filedBuildPaths(dir, revision).dir}.lock`), false)
  })
})
