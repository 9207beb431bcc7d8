import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

/**
 * The folder dependency rule of packages/server/src (docs/architecture.md §6), checked by
 * `npm test`. A folder is a top-level directory of src/; files directly in src/ are `(root)`.
 * Every relative import of a non-test file counts, type-only, re-exports, side-effect and dynamic
 * imports included. Tests are left out: they may build the whole server through test/ helpers.
 *
 * To add a folder or a dependency, add it to ALLOWED below, keeping the rules under it true; the
 * table says in one place which way the layers point.
 */

const ROOT = '(root)'

/**
 * Which folders each folder may import. Read it bottom-up: base (shared, store, events, http,
 * config), domains, routes, then the composition root (app), the commands (cli) and the root.
 */
const ALLOWED: Record<string, readonly string[]> = {
  shared: [],
  store: ['shared'],
  http: ['shared', 'store'],
  events: ['store'],
  revocation: ['shared', 'store'],
  users: ['events', 'shared', 'store'],
  apis: ['events', 'shared', 'store'],
  applications: ['apis', 'events', 'revocation', 'shared', 'store'],
  keys: ['events', 'revocation', 'shared', 'store'],
  audit: ['events', 'shared', 'store'],
  webhooks: ['events', 'keys', 'shared', 'store'],
  backchannel: ['applications', 'events', 'keys', 'shared', 'store', 'webhooks'],
  'rate-limit': ['shared', 'store'],
  // Deletes expired rows of every domain's tables by rules in one file (docs/architecture.md §12).
  housekeeping: ['shared', 'store'],
  // OpenTelemetry spans per request (routes level: Fastify hooks), loaded only when configured.
  tracing: [],
  // The console's overview: read-only counts across tables (a reporting read model, no domain logic).
  stats: ['shared', 'store'],
  sessions: ['events', 'http', 'revocation', 'shared', 'store', 'users'],
  rbac: ['apis', 'applications', 'events', 'revocation', 'shared', 'store', 'users'],
  mfa: ['events', 'http', 'keys', 'revocation', 'shared', 'store', 'ui', 'users'],
  connections: ['events', 'keys', 'shared', 'store', 'users', 'webhooks'],
  tokens: ['apis', 'applications', 'events', 'keys', 'rbac', 'revocation', 'sessions', 'shared', 'store', 'users'],
  // Message catalogues and language negotiation (issue 12 part 6): a leaf, like shared.
  i18n: [],
  ui: ['i18n', 'shared'],
  email: ['events', 'i18n', 'keys', 'shared', 'store', 'ui'],
  config: ['email', 'i18n', 'users'],
  accounts: ['email', 'events', 'http', 'i18n', 'sessions', 'shared', 'store', 'ui', 'users'],
  console: ['applications', 'shared', 'ui'],
  auth: ['events', 'sessions', 'shared', 'store', 'users'],
  authorize: ['apis', 'applications', 'events', 'sessions', 'shared', 'store', 'tokens'],
  oauth: ['applications', 'auth', 'authorize', 'http', 'keys', 'sessions', 'shared', 'tokens', 'users'],
  flows: [
    'apis',
    'applications',
    'auth',
    'authorize',
    'connections',
    'http',
    'i18n',
    'oauth',
    'sessions',
    'shared',
    'store',
    'ui',
    'users',
  ],
  cors: ['applications', 'oauth', 'shared'],
  admin: [
    'accounts',
    'apis',
    'applications',
    'audit',
    'connections',
    'email',
    'events',
    'keys',
    'mfa',
    'rbac',
    'sessions',
    'shared',
    'stats',
    'store',
    'tokens',
    'users',
    'webhooks',
  ],
  // The Prometheus side of shared/metrics.ts; /metrics on the main port uses the admin token check.
  metrics: ['admin', 'shared'],
  app: [
    'accounts',
    'admin',
    'apis',
    'applications',
    'audit',
    'auth',
    'authorize',
    'backchannel',
    'config',
    'connections',
    'console',
    'cors',
    'email',
    'events',
    'flows',
    'housekeeping',
    'http',
    'i18n',
    'keys',
    'metrics',
    'mfa',
    'oauth',
    'rate-limit',
    'rbac',
    'revocation',
    'sessions',
    'shared',
    'stats',
    'store',
    'tokens',
    'tracing',
    'ui',
    'users',
    'webhooks',
  ],
  cli: [
    'apis',
    'app',
    'applications',
    'audit',
    'config',
    'connections',
    'console',
    'email',
    'keys',
    'mfa',
    'rbac',
    'sessions',
    'shared',
    'store',
    'users',
    'webhooks',
  ],
  [ROOT]: ['app', 'cli', 'config', 'shared'],
}

/**
 * Edges that break a rule and are being removed by work in flight (issue 11), each with who removes
 * it. This list only shrinks: a new entry is a new violation. The cycle check takes no exception.
 */
const PENDING: readonly string[] = []

/** Base folders: they import no domain (store/ and shared/ nothing above them, http/ only helpers). */
const BASE_MAY_IMPORT: Record<string, readonly string[]> = {
  shared: [],
  store: ['shared'],
  http: ['shared', 'store'],
}

/** Folders with no Fastify import today; their code is logic and storage, not HTTP. */
const NO_FASTIFY = [
  'apis',
  'applications',
  'audit',
  'cli',
  'config',
  'connections',
  'events',
  'rbac',
  'shared',
  'stats',
  'store',
  'tokens',
  'users',
  'webhooks',
]

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..')

interface Import {
  from: string
  to: string
  /** The importing file, relative to src/. */
  file: string
  specifier: string
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return /\.ts$/.test(name) && !/\.(test|d)\.ts$/.test(name) ? [path] : []
  })
}

function folderOf(path: string): string {
  const parts = relative(SRC, path).split(sep)
  return parts.length > 1 ? (parts[0] as string) : ROOT
}

// `import … from '…'`, `export … from '…'` (type-only too), `import '…'` and `import('…')`.
const IMPORT = /(?:(?:import|export)\s[^'"]*?\sfrom\s*|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g

function imports(): { relativeImports: Import[]; packages: { folder: string; file: string; specifier: string }[] } {
  const relativeImports: Import[] = []
  const packages: { folder: string; file: string; specifier: string }[] = []
  for (const path of sourceFiles(SRC)) {
    const text = readFileSync(path, 'utf8')
    const from = folderOf(path)
    const file = relative(SRC, path)
    for (const match of text.matchAll(IMPORT)) {
      const specifier = match[1] as string
      if (!specifier.startsWith('.')) {
        packages.push({ folder: from, file, specifier })
        continue
      }
      const target = resolve(dirname(path), specifier)
      if (!target.startsWith(SRC + sep)) continue
      const to = folderOf(target)
      if (to !== from) relativeImports.push({ from, to, file, specifier })
    }
  }
  return { relativeImports, packages }
}

function describeImport(edge: Import): string {
  return `${edge.from} -> ${edge.to} (${edge.file} imports '${edge.specifier}')`
}

const isPending = (edge: Import) => PENDING.includes(`${edge.from} -> ${edge.to}`)

/** The strongly connected components of more than one folder (Tarjan): each is a cycle of folders. */
function cycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const found: string[][] = []
  const visit = (node: string) => {
    index.set(node, index.size)
    low.set(node, index.get(node) as number)
    stack.push(node)
    onStack.add(node)
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next)
        low.set(node, Math.min(low.get(node) as number, low.get(next) as number))
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) as number, index.get(next) as number))
      }
    }
    if (low.get(node) !== index.get(node)) return
    const component: string[] = []
    let member: string | undefined
    do {
      member = stack.pop() as string
      onStack.delete(member)
      component.push(member)
    } while (member !== node)
    if (component.length > 1) found.push(component.sort())
  }
  for (const node of graph.keys()) if (!index.has(node)) visit(node)
  return found
}

function graphOf(edges: Iterable<readonly [string, string]>): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>()
  for (const [from, to] of edges) {
    if (!graph.has(from)) graph.set(from, new Set())
    if (!graph.has(to)) graph.set(to, new Set())
    graph.get(from)?.add(to)
  }
  return graph
}

describe('the folder dependency rule (docs/architecture.md §6)', () => {
  const { relativeImports, packages } = imports()
  const folders = new Set(readdirSync(SRC).filter((name) => statSync(join(SRC, name)).isDirectory()))

  it('finds the imports it checks', () => {
    // Guards the parser: if it stopped matching, every rule below would pass vacuously.
    expect(relativeImports.some((edge) => edge.from === 'app' && edge.to === 'store')).toBe(true)
    expect(relativeImports.some((edge) => edge.from === 'cli' && edge.to === 'app')).toBe(true)
  })

  it('lists every folder in the table', () => {
    const missing = [...folders].filter((folder) => !(folder in ALLOWED))
    expect(missing, `folders missing from ALLOWED in app/dependency-rule.test.ts: ${missing.join(', ')}`).toEqual([])
  })

  it('has every import point in an allowed direction', () => {
    const forbidden = relativeImports.filter((edge) => !isPending(edge) && !(ALLOWED[edge.from] ?? []).includes(edge.to))
    expect(forbidden.map(describeImport), 'imports not allowed by ALLOWED in app/dependency-rule.test.ts').toEqual([])
  })

  it('lets nothing import app/, cli/ or the root but the root (and cli/, which may import app/)', () => {
    const upward = relativeImports.filter((edge) => {
      if (isPending(edge) || edge.from === ROOT) return false
      if (edge.to === ROOT || edge.to === 'cli') return true
      return edge.to === 'app' && edge.from !== 'cli'
    })
    expect(upward.map(describeImport)).toEqual([])
    for (const [folder, allowed] of Object.entries(ALLOWED)) {
      if (folder === ROOT) continue
      const up = allowed.filter((to) => to === ROOT || to === 'cli' || (to === 'app' && folder !== 'cli'))
      expect(up, `ALLOWED lets ${folder} import ${up.join(', ')}`).toEqual([])
    }
  })

  it('keeps store/, shared/ and http/ free of domain imports', () => {
    const upward = relativeImports.filter((edge) => edge.from in BASE_MAY_IMPORT && !(BASE_MAY_IMPORT[edge.from] ?? []).includes(edge.to))
    expect(upward.map(describeImport)).toEqual([])
    for (const [folder, allowed] of Object.entries(BASE_MAY_IMPORT)) expect(ALLOWED[folder]).toEqual(allowed)
  })

  it('has no folder-level cycle, in the imports or in the table', () => {
    const inImports = cycles(graphOf(relativeImports.map((edge) => [edge.from, edge.to] as const)))
    // Each cycle with the imports that close it, so the message names the edges and the files.
    const described = inImports.map((members) => ({
      cycle: members.join(' <-> '),
      imports: relativeImports.filter((edge) => members.includes(edge.from) && members.includes(edge.to)).map(describeImport),
    }))
    expect(described).toEqual([])
    const inTable = cycles(graphOf(Object.entries(ALLOWED).flatMap(([from, tos]) => tos.map((to) => [from, to] as const))))
    expect(inTable, 'ALLOWED in app/dependency-rule.test.ts allows a cycle').toEqual([])
  })

  it('keeps Fastify out of the folders that do not use it', () => {
    const http = packages.filter(
      (each) => NO_FASTIFY.includes(each.folder) && (each.specifier === 'fastify' || each.specifier.startsWith('@fastify/')),
    )
    expect(http.map((each) => `${each.folder} -> ${each.specifier} (${each.file})`)).toEqual([])
  })
})
