// Linux `perf` over a server child process, folded into a JS call tree per request: the shared
// part of bench/tools/perf-introspection.mjs and bench/tools/perf-refresh.mjs. The child runs with
// NODE_OPTIONS=--perf-basic-prof-only-functions so JIT frames have names; native frames (Node's
// HTTP parser, writev, SQLite, OpenSSL, the kernel) are folded into their JS caller as a leaf.
import { execFile, spawn } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { processCpu } from './backend-cpu.mjs'

export const PERF_HZ = 2000
export const PERF_ENV = { NODE_OPTIONS: '--perf-basic-prof-only-functions' }

/**
 * Records `pid` while `load()` runs (it resolves to { requests, ...anything }) into `dir/name.data`;
 * returns the load's result, the process's CPU per request (µs, under perf) and the call tree.
 */
export async function recordTree(pid, dir, name, load) {
  const file = join(dir, `${name}.data`)
  const perf = spawn('perf', ['record', '-F', String(PERF_HZ), '-g', '-o', file, '-p', String(pid)], { stdio: 'ignore' })
  await new Promise((resolve) => setTimeout(resolve, 500))
  const cpu = processCpu(pid)
  const result = await load()
  const micros = ((processCpu(pid) - cpu) * 1e6) / result.requests
  perf.kill('SIGINT')
  await new Promise((resolve) => perf.on('exit', resolve))
  return { result, micros, tree: tree(await folded(file), result.requests) }
}

/** Folded stacks of one recorded run: JS frames only, a native leaf kept as the last frame. */
async function folded(file) {
  const { stdout } = await promisify(execFile)('perf', ['script', '-i', file, '-F', 'ip,sym'], { maxBuffer: 1 << 30 })
  const stacks = new Map()
  for (const sample of stdout.split('\n\n')) {
    const symbols = sample
      .split('\n')
      .map((line) => line.trim().split(/\s+/).slice(1).join(' '))
      .filter(Boolean)
    if (symbols.length === 0) continue
    const frames = symbols
      .toReversed()
      .map(jsFrame)
      .filter((frame) => frame !== null)
    if (jsFrame(symbols[0]) === null) frames.push(`native:${symbols[0].slice(0, 50)}`)
    const key = frames.join(';')
    stacks.set(key, (stacks.get(key) ?? 0) + 1)
  }
  return stacks
}

function jsFrame(symbol) {
  const match = /^JS:[*~^]?(\S*)\s+(\S+):(\d+):\d+/.exec(symbol)
  if (!match) return null
  const file = match[2]
    .replace(/^file:\/\//, '')
    .replace(/.*node_modules\//, '')
    .replace(/.*\/dist\//, '')
  return `${match[1] || '(anonymous)'} ${file}:${match[3]}`
}

/** Inclusive µs per request of every call path (a prefix of frames). */
function tree(stacks, requests) {
  const totals = new Map()
  for (const [key, samples] of stacks) {
    const frames = key.split(';')
    for (let end = 1; end <= frames.length; end++) {
      const path = frames.slice(0, end).join(';')
      totals.set(path, (totals.get(path) ?? 0) + (samples * 1e6) / PERF_HZ / requests)
    }
  }
  return totals
}

/** Self µs per request of each native leaf and JS function, over the whole tree: the flat view. */
export function flat(totals) {
  const children = new Map()
  for (const [path, micros] of totals) {
    const cut = path.lastIndexOf(';')
    if (cut >= 0) children.set(path.slice(0, cut), (children.get(path.slice(0, cut)) ?? 0) + micros)
  }
  const self = new Map()
  for (const [path, micros] of totals) {
    const leaf = path.slice(path.lastIndexOf(';') + 1)
    self.set(leaf, (self.get(leaf) ?? 0) + micros - (children.get(path) ?? 0))
  }
  return [...self].sort((a, b) => b[1] - a[1])
}

/**
 * Prints the trees side by side (`trees`: name -> tree), children sorted by their total, down to
 * `depth` levels, leaving out paths under `minimum` µs in every tree.
 */
export function printTrees(trees, depth, minimum) {
  const names = Object.keys(trees)
  const all = [...new Set(names.flatMap((name) => [...trees[name].keys()]))]
  const total = (path) => names.reduce((sum, name) => sum + (trees[name].get(path) ?? 0), 0)
  const print = (prefix, level) => {
    const children = all.filter((path) => path.split(';').length === level + 1 && (prefix === '' || path.startsWith(`${prefix};`)))
    children.sort((a, b) => total(b) - total(a))
    for (const path of children) {
      const values = names.map((name) => trees[name].get(path) ?? 0)
      if (Math.max(...values) < minimum) continue
      const columns = names.map((name, i) => `${name} ${values[i].toFixed(2)}`).join('  ')
      console.log(`${'  '.repeat(level)}${path.split(';').at(-1)}  ${columns}`)
      if (level + 1 < depth) print(path, level + 1)
    }
  }
  print('', 0)
}
