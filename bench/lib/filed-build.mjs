// The server as issue 17 was filed, built once per checkout so that `npm run bench` can load it in turn
// with the current build. Issue 17's targets are "each a ratio measured in one run", and target 4
// ("refresh rotation and token exchange ≥ 2× today's rates on SQLite") means the rates of the code
// the issue was filed with: 02f258c ("Merge branch main into s-stores", the parent of the first
// issue-17 commit). Its absolute rates (1.5k and 1.0k/s) came from the machine it was filed on, and
// another machine's loopback HTTP may be 3× slower, so only a run of both builds on one machine says
// whether the target is met (docs/architecture.md §9, "Target 4 of issue 17").
//
// The build: the revision's files from this clone's history (`git archive`: no worktree is
// registered, `rm -rf` removes it), only what installing and building the server needs; its own
// `npm ci` from its own lock file (its dependencies differ: it needs @fastify/formbody, which main
// later dropped), install scripts off except better-sqlite3's (its native addon; the only package of
// that lock with one, and the root's `prepare` would build every workspace); then the server's own
// `npm run build` of that revision, `tsc -p tsconfig.build.json`, with its own TypeScript. The SDK
// and the console are not built: the server imports neither (without the console's dist it serves
// no /console, which no measured route touches). A check that the build loads and opens a SQLite
// database comes last, then the marker: a folder without the marker (an interrupted or failed
// preparation) is removed and prepared again; one with it is reused, if Node's ABI is the same.
// One process prepares at a time (lib/preparation-lock.mjs); another waits, then reuses its build.
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { withPreparationLock } from './preparation-lock.mjs'

export const FILED_REVISION = '02f258cbc2eb9301b4c8889c5a6eee71b23d6fba'
export const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** What installing and building the server needs of the revision (every workspace's package.json: npm ci checks them against the lock). */
export const ARCHIVED_PATHS = [
  'package.json',
  'package-lock.json',
  'tsconfig.base.json',
  'packages/server',
  'packages/sdk/package.json',
  'packages/console/package.json',
  'bench/package.json',
]

/** The preparation's steps, in order, each with its time bound (ms). */
export const STEPS = ['git archive', 'npm ci', 'better-sqlite3', 'tsc', 'check']
const BOUNDS = { 'git archive': 60_000, 'npm ci': 600_000, 'better-sqlite3': 600_000, tsc: 300_000, check: 60_000 }

/** The build's folder (git-ignored: bench/.cache/), its marker and the dist the A/B loads. */
export function filedBuildPaths(root = REPOSITORY_ROOT, revision = FILED_REVISION) {
  const dir = join(root, 'bench', '.cache', `filed-${revision.slice(0, 12)}`)
  return { dir, marker: join(dir, 'READY.json'), dist: join(dir, 'packages', 'server', 'dist') }
}

/** Whether a marker (parsed, or null) describes a finished build of `revision` for this Node's ABI (the native addon is built for one). */
export function isReady(marker, revision, abi = process.versions.modules) {
  return marker?.revision === revision && marker.abi === abi && Number.isFinite(marker.seconds)
}

/** The marker, or null when it is missing or unreadable. */
export function readMarker(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'))
  } catch {
    return null
  }
}

/** The environment of the nested npm: none of `npm run bench`'s npm_* variables, which describe this checkout, not the build's. */
export function isolatedEnv(env = process.env) {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !/^npm_/i.test(key)))
}

/** The first lines of a failed command's output that say what failed (npm's, git's or tsc's errors), in one line. */
export function failureSummary(error) {
  if (error.killed) return `timed out after ${Math.round(error.bound / 1000)} s`
  const lines = `${error.stderr ?? ''}\n${error.stdout ?? ''}`.split('\n').map((line) => line.trim())
  const errors = lines
    .filter((line) => /^npm (error|ERR!)|error|fatal|cannot|not found/i.test(line))
    .map((line) => line.replace(/^npm (error|ERR!)\s*/i, ''))
    .filter((line) => line && !/complete log of this run/i.test(line))
  const said = errors.length ? errors : lines.filter(Boolean)
  return said.slice(0, 2).join(' / ').slice(0, 300) || String(error.message).split('\n')[0]
}

const execFileAsync = promisify(execFile)
/** Runs a command to completion: resolves with its output, rejects with `stdout`, `stderr`, `killed`, `bound`. */
export async function runCommand(command, args, { cwd, bound, env = isolatedEnv() }) {
  try {
    return await execFileAsync(command, args, { cwd, env, timeout: bound, maxBuffer: 64 * 1024 * 1024 })
  } catch (error) {
    error.bound = bound
    throw error
  }
}

/** Why `revision` cannot be archived from `root`'s history, or null when it can. */
export async function missingRevision(root, revision, run = runCommand) {
  try {
    await run('git', ['cat-file', '-e', `${revision}^{commit}`], { cwd: root, bound: BOUNDS['git archive'] })
    return null
  } catch {
    const shallow = await run('git', ['rev-parse', '--is-shallow-repository'], { cwd: root, bound: BOUNDS['git archive'] }).then(
      ({ stdout }) => stdout.trim() === 'true',
      () => false,
    )
    return `this clone's history lacks ${revision.slice(0, 7)}${shallow ? ' (a shallow clone: `git fetch --unshallow` brings it)' : ''}`
  }
}

/** The commands of each step, run in the build's folder `dir`. */
function commands(root, revision, dir) {
  const tar = join(dir, '..', `${revision.slice(0, 12)}.tar`)
  const checkScript =
    `const { createRequire } = await import('node:module');` +
    `await import(${JSON.stringify(join(dir, 'packages/server/dist/index.js'))});` +
    `const Database = createRequire(${JSON.stringify(join(dir, 'packages/server/package.json'))})('better-sqlite3');` +
    `new Database(':memory:').close()`
  return {
    'git archive': [
      ['git', ['archive', '--format=tar', `--output=${tar}`, revision, '--', ...ARCHIVED_PATHS], root],
      ['tar', ['-xf', tar, '-C', dir], dir],
      ['rm', ['-f', tar], dir],
    ],
    'npm ci': [['npm', ['ci', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], dir]],
    'better-sqlite3': [['npm', ['rebuild', 'better-sqlite3', '--no-audit', '--no-fund'], dir]],
    tsc: [[process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'packages/server/tsconfig.build.json'], dir]],
    check: [[process.execPath, ['--input-type=module', '-e', checkScript], dir]],
  }
}

/**
 * The filed build's dist, prepared first if need be (and if `prepare`). Never throws: resolves with
 * { ok: true, dist, reused, seconds, steps } (`seconds`: how long preparing took, now or when it was
 * made; `steps`: seconds per step) or { ok: false, reason }, the reason the comparison is not measured.
 */
export async function filedBuild({
  root = REPOSITORY_ROOT,
  revision = FILED_REVISION,
  prepare = true,
  log = () => {},
  run = runCommand,
} = {}) {
  const missing = await missingRevision(root, revision, run)
  if (missing) return { ok: false, reason: missing }
  const { dir, marker, dist } = filedBuildPaths(root, revision)
  const found = readMarker(marker)
  if (isReady(found, revision)) return { ok: true, dist, reused: true, seconds: found.seconds, steps: found.steps }
  if (!prepare) {
    return {
      ok: false,
      reason: `the build of ${revision.slice(0, 7)} is not prepared here, and --quick does not prepare it (its own npm ci and build); a full \`npm run bench\` does, once`,
    }
  }
  // One preparation at a time (lib/preparation-lock.mjs): another run preparing this folder is
  // waited for, then its build reused; a preparation that was killed is started over.
  const waitMs = Object.values(BOUNDS).reduce((sum, bound) => sum + bound, 0)
  try {
    return await withPreparationLock(`${dir}.lock`, () => prepareLocked({ root, revision, log, run }), { waitMs, log })
  } catch (error) {
    return { ok: false, reason: `the build of ${revision.slice(0, 7)} could not be prepared here: ${error.message}` }
  }
}

/** Prepares the build holding the lock: reuses it if another run finished it while this one waited. */
async function prepareLocked({ root, revision, log, run }) {
  const { dir, marker, dist } = filedBuildPaths(root, revision)
  const found = readMarker(marker)
  if (isReady(found, revision)) return { ok: true, dist, reused: true, seconds: found.seconds, steps: found.steps }
  // No marker, or another revision's or Node's: start over.
  if (existsSync(dir))
    log(`filed build ${revision.slice(0, 7)}: ${found ? 'made for another Node, preparing again' : 'unfinished, starting over'}`)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const steps = {}
  const started = performance.now()
  const plan = commands(root, revision, dir)
  for (const step of STEPS) {
    log(`filed build ${revision.slice(0, 7)}: ${step}`)
    const stepStarted = performance.now()
    try {
      for (const [command, args, cwd] of plan[step]) await run(command, args, { cwd, bound: BOUNDS[step] })
    } catch (error) {
      return { ok: false, reason: `preparing the build of ${revision.slice(0, 7)} failed at ${step}: ${failureSummary(error)}` }
    }
    steps[step] = (performance.now() - stepStarted) / 1000
  }
  const seconds = (performance.now() - started) / 1000
  // Written last: its presence says every step above finished.
  const made = { revision, node: process.version, abi: process.versions.modules, seconds, steps, preparedAt: new Date().toISOString() }
  writeFileSync(marker, `${JSON.stringify(made, null, 2)}\n`)
  return { ok: true, dist, reused: false, seconds, steps }
}
