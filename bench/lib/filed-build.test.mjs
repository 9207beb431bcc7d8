// lib/filed-build.mjs without building anything: when the build is reused, prepared again or refused,
// and what the reason says. `npm test -w bench` (node:test; vitest runs the packages' tests only).
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { failureSummary, filedBuild, filedBuildPaths, isolatedEnv, isReady, missingRevision, runCommand, STEPS } from './filed-build.mjs'

const git = (cwd, ...args) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd, encoding: 'utf8' }).trim()

/** A repository of `commits` empty commits in a temporary folder: { root, head }. */
function repository(commits = 1) {
  const root = mkdtempSync(join(tmpdir(), 'filed-build-test-'))
  git(root, 'init', '-q')
  for (let i = 0; i < commits; i++) git(root, 'commit', '-q', '--allow-empty', '-m', `commit ${i}`)
  return { root, head: git(root, 'rev-parse', 'HEAD') }
}

/** A `run` that records each command and answers it with `answer(command, args, options)`; git's queries go to git. */
function recording(answer = async () => ({ stdout: '', stderr: '' })) {
  const calls = []
  const run = async (command, args, options) => {
    calls.push([command, args[0]])
    if (command === 'git' && ['cat-file', 'rev-parse'].includes(args[0])) return runCommand(command, args, options)
    return answer(command, args, options)
  }
  return { run, calls }
}

describe('the filed build', () => {
  let repo
  beforeEach(() => {
    repo = repository()
  })
  afterEach(() => rmSync(repo.root, { recursive: true, force: true }))

  it('is ready only with a marker of the same revision and the same Node ABI', () => {
    const marker = { revision: 'abc', abi: '115', seconds: 80 }
    assert.equal(isReady(marker, 'abc', '115'), true)
    assert.equal(isReady(marker, 'abd', '115'), false)
    assert.equal(isReady(marker, 'abc', '127'), false)
    assert.equal(isReady({ revision: 'abc', abi: '115' }, 'abc', '115'), false)
    assert.equal(isReady(null, 'abc', '115'), false)
  })

  it('says the revision is missing from a clone without it, and that a shallow clone is why', async () => {
    assert.equal(await missingRevision(repo.root, repo.head), null)
    assert.match(await missingRevision(repo.root, '02f258cbc2eb9301b4c8889c5a6eee71b23d6fba'), /history lacks 02f258c$/)
    const deep = repository(2)
    const shallow = mkdtempSync(join(tmpdir(), 'filed-build-test-'))
    try {
      git(shallow, 'clone', '-q', '--depth', '1', `file://${deep.root}`, '.')
      const parent = git(deep.root, 'rev-parse', 'HEAD~1')
      assert.match(await missingRevision(shallow, parent), /history lacks .* \(a shallow clone/)
      const result = await filedBuild({ root: shallow, revision: parent, run: recording().run })
      assert.equal(result.ok, false)
      assert.match(result.reason, /shallow clone/)
    } finally {
      rmSync(deep.root, { recursive: true, force: true })
      rmSync(shallow, { recursive: true, force: true })
    }
  })

  it('prepares every step, writes the marker last, and reuses the build the next time', async () => {
    const first = recording()
    const made = await filedBuild({ root: repo.root, revision: repo.head, run: first.run })
    assert.equal(made.ok, true)
    assert.equal(made.reused, false)
    assert.deepEqual(Object.keys(made.steps), STEPS)
    assert.equal(made.dist, filedBuildPaths(repo.root, repo.head).dist)
    assert.ok(existsSync(filedBuildPaths(repo.root, repo.head).marker))
    const second = recording()
    const again = await filedBuild({ root: repo.root, revision: repo.head, run: second.run })
    assert.equal(again.reused, true)
    assert.deepEqual(
      second.calls.filter(([command]) => command !== 'git'),
      [],
    )
  })

  it('starts over in a folder left without its marker', async () => {
    const { dir } = filedBuildPaths(repo.root, repo.head)
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'left-over'), '')
    const made = await filedBuild({ root: repo.root, revision: repo.head, run: recording().run })
    assert.equal(made.reused, false)
    assert.equal(existsSync(join(dir, 'left-over')), false)
  })

  it('does not prepare when told not to (--quick), and says so', async () => {
    const { run, calls } = recording()
    const result = await filedBuild({ root: repo.root, revision: repo.head, prepare: false, run })
    assert.equal(result.ok, false)
    assert.match(result.reason, /not prepared here, and --quick does not prepare it/)
    assert.deepEqual(
      calls.filter(([command]) => command !== 'git'),
      [],
    )
  })

  it("gives npm's own reason when npm ci fails, and leaves no marker", async () => {
    // A lock file out of step with its package.json: npm ci refuses before any download.
    const { run } = recording(async (command, args, options) => {
      if (command === 'git' && args[0] === 'archive') {
        const { dir } = filedBuildPaths(repo.root, repo.head)
        writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'filed', version: '1.0.0', dependencies: { 'left-pad': '1.3.0' } }))
        writeFileSync(
          join(dir, 'package-lock.json'),
          JSON.stringify({ name: 'filed', lockfileVersion: 3, packages: { '': { name: 'filed' } } }),
        )
        return { stdout: '', stderr: '' }
      }
      if (command === 'npm') return runCommand(command, args, options)
      return { stdout: '', stderr: '' }
    })
    const result = await filedBuild({ root: repo.root, revision: repo.head, run })
    assert.equal(result.ok, false)
    assert.match(result.reason, /failed at npm ci: .*in sync/)
    assert.equal(existsSync(filedBuildPaths(repo.root, repo.head).marker), false)
  })

  it('summarises a timeout and keeps npm_* variables of the outer run away from the nested npm', () => {
    assert.equal(failureSummary({ killed: true, bound: 600_000 }), 'timed out after 600 s')
    assert.deepEqual(isolatedEnv({ PATH: '/bin', npm_config_prefix: '/work/main', npm_lifecycle_event: 'bench' }), { PATH: '/bin' })
  })
})
