import { existsSync, readFileSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { extname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CONSOLE_PATH } from './console-client.js'

/**
 * Where the console is: in the monorepo, where `npm run build` puts it (packages/console/dist, when
 * that folder's package is ours); in the published package, `console-app/` beside `dist/`, put
 * there at pack time by scripts/bundle-console.mjs. The workspace wins, so a pack running beside a
 * server (its copy lives only while npm packs) never changes what the server reads. Both paths hold
 * from src/console and dist/console alike.
 */
export const DEFAULT_CONSOLE_DIR = firstConsoleDir([
  workspaceConsoleDir(new URL('../../../console/', import.meta.url)),
  fileURLToPath(new URL('../../console-app/', import.meta.url)),
])

/** The first folder holding a built console (its index.html), or the last candidate (reported missing at start). */
export function firstConsoleDir(candidates: readonly (string | null)[]): string {
  const dirs = candidates.filter((dir): dir is string => dir !== null)
  return dirs.find((dir) => existsSync(join(dir, 'index.html'))) ?? (dirs.at(-1) as string)
}

/** The workspace's build folder, only when the sibling package is the console (not any `console` in node_modules). */
function workspaceConsoleDir(packageDir: URL): string | null {
  try {
    const manifest = JSON.parse(readFileSync(new URL('package.json', packageDir), 'utf8')) as { name?: unknown }
    return manifest.name === '@tessera/console' ? fileURLToPath(new URL('dist/', packageDir)) : null
  } catch {
    return null
  }
}

export interface ConsoleAsset {
  body: Buffer
  contentType: string
  /** Vite names built assets by their content hash: they never change, so they may be cached for good. */
  immutable: boolean
}

export interface ConsoleAssets {
  /** Files by their path below /console/ (e.g. `assets/index-abc123.js`). */
  files: ReadonlyMap<string, ConsoleAsset>
  /** The single page, served for every path that is not a file (the console routes in the browser). */
  index: ConsoleAsset
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
}

/**
 * Reads the built console once, at start-up: only the files found here are ever served, so no
 * request path reaches the file system (no traversal to guard). Null when the console is not built.
 * An issuer with a path (https://example.com/auth) gets its asset URLs rewritten to live under it.
 */
export async function loadConsoleAssets(dir: string, issuer: string): Promise<ConsoleAssets | null> {
  let names: string[]
  try {
    names = (await readdir(dir, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
  const prefix = new URL(issuer).pathname.replace(/\/+$/, '')
  const files = new Map<string, ConsoleAsset>()
  for (const name of names) {
    const path = relative(dir, name).split(sep).join('/')
    let body = await readFile(name)
    if (path === 'index.html' && prefix !== '') {
      body = Buffer.from(body.toString('utf8').replaceAll(`"${CONSOLE_PATH}/`, `"${prefix}${CONSOLE_PATH}/`))
    }
    files.set(path, {
      body,
      contentType: TYPES[extname(name)] ?? 'application/octet-stream',
      immutable: path.startsWith('assets/'),
    })
  }
  const index = files.get('index.html')
  return index ? { files, index } : null
}
