import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { firstConsoleDir } from '../../src/console/console-assets.js'
import { testTempDir } from '../test-database.js'

const SERVER = fileURLToPath(new URL('../../', import.meta.url))
const BUILT_CONSOLE = fileURLToPath(new URL('../../../console/dist/index.html', import.meta.url))

// Issue 14: the published `tessera` package serves /console like the monorepo, so the console
// built by `npm run build` must be inside it (scripts/bundle-console.mjs, run by npm as prepack).
describe('the published server package', () => {
  it('carries the built console, every asset its page names, and leaves no copy behind', async () => {
    if (!existsSync(BUILT_CONSOLE)) throw new Error('the console is not built: run npm run build')
    const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json'], { cwd: SERVER, timeout: 60_000 })
    const files = new Set((JSON.parse(stdout) as { files: { path: string }[] }[])[0]?.files.map((file) => file.path))
    expect(files.has('console-app/index.html')).toBe(true)
    const page = readFileSync(BUILT_CONSOLE, 'utf8')
    const assets = [...page.matchAll(/\/console\/(assets\/[^"']+)/g)].map((match) => match[1])
    expect(assets.length).toBeGreaterThan(0)
    for (const asset of assets) expect(files.has(`console-app/${asset}`), asset).toBe(true)
    expect([...files].some((path) => path.startsWith('src/') && path.endsWith('.ts'))).toBe(false)
    expect(existsSync(join(SERVER, 'console-app'))).toBe(false) // postpack removed the copy
  }, 90_000)

  it('from an unpacked tarball, finds and loads its own console', async () => {
    if (!existsSync(join(SERVER, 'dist/console/console-assets.js'))) throw new Error('the server is not built: run npm run build')
    const root = testTempDir('tessera-pack-')
    try {
      const run = promisify(execFile)
      const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', root], { cwd: SERVER, timeout: 60_000 })
      const tarball = join(root, (JSON.parse(stdout) as { filename: string }[])[0]?.filename ?? '')
      await run('tar', ['-xzf', tarball, '-C', root])
      // The module imports nothing outside node: and its own folder, so the unpacked copy runs as it would once installed.
      const unpacked = (await import(
        join(root, 'package/dist/console/console-assets.js')
      )) as typeof import('../../src/console/console-assets.js')
      expect(unpacked.DEFAULT_CONSOLE_DIR).toBe(join(root, 'package/console-app/'))
      const assets = await unpacked.loadConsoleAssets(unpacked.DEFAULT_CONSOLE_DIR, 'https://id.example.test')
      expect(assets?.index.body.toString('utf8')).toContain('<script')
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  }, 90_000)

  it('finds the first built console among its candidates (the workspace build, then the packaged copy)', () => {
    const root = testTempDir('tessera-console-dirs-')
    try {
      const [workspace, packaged] = [join(root, 'dist'), join(root, 'console-app')]
      mkdirSync(packaged)
      mkdirSync(workspace)
      writeFileSync(join(packaged, 'index.html'), '<!doctype html>')
      expect(firstConsoleDir([workspace, packaged])).toBe(packaged) // a published install: no workspace build
      expect(firstConsoleDir([null, packaged])).toBe(packaged) // no sibling console package at all
      writeFileSync(join(workspace, 'index.html'), '<!doctype html>')
      expect(firstConsoleDir([workspace, packaged])).toBe(workspace)
      rmSync(packaged, { recursive: true })
      rmSync(workspace, { recursive: true })
      expect(firstConsoleDir([workspace, packaged])).toBe(packaged) // neither: the start-up reports the last
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })
})
