// The "before" build of an A/B: the repository at a git revision, built, in .ab/<name> of this
// checkout (ignored by git), so the A/B tools can load it beside the current build:
//   node bench/tools/ab-snapshot.mjs <rev> [name]        (name: the revision's short hash by default)
// It extracts the revision's files (`git archive`: no worktree is registered, `rm -rf` removes it),
// hard-links every node_modules folder from this checkout (as /work/mkwt.sh does: no copy, no
// install; the workspace links node_modules/tessera and node_modules/@tessera/sdk are relative, so
// they point at the snapshot's own packages), and builds the server and the SDK there. The snapshot's
// packages/server is the layout a build needs at run time (dist/, data/ for the password lists,
// package.json for the version, src/ui/assets), with its node_modules above it, so it imports its
// own dependencies; the server's bundle is built too where the revision has one. Prints the paths the tools take:
//   server dist (ab-session-check, ab-token-endpoint, ab-refresh, ab-password-estimate, lib/harness's startTessera({ dist })):
//     .ab/<name>/packages/server/dist
//   server bin (ab-footprint, ab-startup-cpu): .ab/<name>/packages/server/bin/tessera.js
//   SDK dist (ab-sdk-hybrid-hook, ab-sdk-warm, ab-sdk-feed-parse): .ab/<name>/packages/sdk/dist
// A dependency added or upgraded after <rev> is linked as this checkout has it: the snapshot
// differs from <rev> by Tessera's own code only, which is what an A/B of a change compares.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)))
const [rev, given] = process.argv.slice(2)
if (!rev) {
  console.error('usage: node bench/tools/ab-snapshot.mjs <rev> [name]')
  process.exit(1)
}
const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim()
const commit = git('rev-parse', '--verify', `${rev}^{commit}`)
const name = given ?? commit.slice(0, 10)
const out = join(root, '.ab', name)
if (existsSync(out)) {
  console.error(`${relative(root, out)} exists; remove it or give another name`)
  process.exit(1)
}
mkdirSync(out, { recursive: true })
const run = (command, args, cwd = out) => execFileSync(command, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] })

execFileSync('sh', ['-c', `git -C "${root}" archive "${commit}" | tar -x -C "${out}"`], { stdio: 'inherit' })
for (const folder of ['node_modules', 'packages/server/node_modules', 'packages/sdk/node_modules', 'bench/node_modules']) {
  if (existsSync(join(root, folder)) && existsSync(join(out, folder, '..'))) run('cp', ['-al', join(root, folder), join(out, folder)], root)
}
// The SDK first: the server's build and the bench resolve @tessera/sdk to the snapshot's.
for (const pkg of ['sdk', 'server'])
  run(process.execPath, [join(out, 'node_modules/typescript/bin/tsc'), '-p', `packages/${pkg}/tsconfig.build.json`])
// The `tessera` command runs dist/bundle/ (packages/server/scripts/bundle-cli.mjs, the second half of
// the server's `npm run build`); revisions from before the bundle have no such script and run dist/.
const bundle = join(out, 'packages/server/scripts/bundle-cli.mjs')
if (existsSync(bundle)) run(process.execPath, [bundle], join(out, 'packages/server'))

const show = (path) => relative(process.cwd(), join(out, path))
console.log(`snapshot of ${commit} (${git('log', '-1', '--format=%s', commit).slice(0, 80)})`)
console.log(`  server dist: ${show('packages/server/dist')}`)
console.log(`  server bin:  ${show('packages/server/bin/tessera.js')}`)
console.log(`  SDK dist:    ${show('packages/sdk/dist')}`)
