// Two callgrind dumps side by side, function by function, per request: self instructions (or
// inclusive with --inclusive), each dump divided by its own request count, sorted by the
// difference. JIT code, which callgrind names only by address, is named from the V8 perf map of
// the process that was measured (`/tmp/perf-<pid>.map`, written when node runs with
// --perf-basic-prof; bench/tools/callgrind-pipeline.mjs --names does that and prints the map), and
// functions of one name are summed. Issue 17 target 3: what an introspection pays over a session
// check over real sockets (docs/architecture.md §9, "Introspection against the session check, by
// instructions over sockets").
//   node bench/tools/callgrind-diff.mjs <dumpA> <requestsA> <mapA|-> <dumpB> <requestsB> <mapB|-> [--inclusive] [--top=N]
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

const flags = process.argv.slice(2).filter((a) => a.startsWith('--'))
const [dumpA, requestsA, mapA, dumpB, requestsB, mapB] = process.argv.slice(2).filter((a) => !a.startsWith('--'))
const top = Number(flags.find((f) => f.startsWith('--top='))?.slice('--top='.length) ?? 40)
const inclusive = flags.includes('--inclusive')

/** A V8 perf map's entries (start, end, name), the later entry winning where code was reused. */
function perfMap(file) {
  if (!file || file === '-') return []
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [start, size, ...name] = line.split(' ')
      return { start: Number.parseInt(start, 16), end: Number.parseInt(start, 16) + Number.parseInt(size, 16), name: name.join(' ') }
    })
}

function nameOf(entries, address) {
  for (let i = entries.length - 1; i >= 0; i--) if (entries[i].start <= address && address < entries[i].end) return entries[i].name
  return `JIT ${address.toString(16)} (unmapped)`
}

/**
 * A JS function's name without what differs between two builds: the build's folder (any path up to
 * `dist/` or `node_modules/`) and the line and column, which a change above it moves.
 */
const comparable = (name) =>
  name
    .replace(/file:\/\/\S*?\/(dist|node_modules)\//, '$1/')
    .replace(/^(JS:\S*\s+)\S*?\/(dist|node_modules)\//, '$1$2/')
    .replace(/(\.m?js):\d+:\d+$/, '$1')

/** V8's garbage collector's own functions (they move with where collections fall, not with the code). */
const HEAP =
  /Scaveng|Heap::|HeapObject|MarkCompact|Sweeper|Evacuat|IterateObjectCache|RootScavengeVisitor|Marking|ConcurrentMarking|Pretenuring|BodyDescriptorBase::IteratePointers/

/** Instructions by function name in one dump (callgrind_annotate's listing). */
function functions(dump, mapFile) {
  const entries = perfMap(mapFile)
  const text = execFileSync('callgrind_annotate', ['--threshold=100', `--inclusive=${inclusive ? 'yes' : 'no'}`, dump], {
    maxBuffer: 1 << 28,
  }).toString()
  const out = new Map()
  for (const line of text.split('\n')) {
    const match = /^\s*([\d,]+)\s+(?:\([^)]*\)\s+)?(\S.*)$/.exec(line)
    if (!match || match[2].startsWith('PROGRAM TOTALS') || match[2].startsWith('file:function')) continue
    const jit = /^\?\?\?:0x([0-9a-f]+) \[\?\?\?\]$/.exec(match[2])
    const name = comparable(jit ? nameOf(entries, Number.parseInt(jit[1], 16)) : match[2].replace(/^\?\?\?:/, ''))
    out.set(name, (out.get(name) ?? 0) + Number(match[1].replaceAll(',', '')))
  }
  return out
}

const a = functions(dumpA, mapA)
const b = functions(dumpB, mapB)
const per = (m, name, n) => (m.get(name) ?? 0) / Number(n)
const rows = [...new Set([...a.keys(), ...b.keys()])].map((name) => {
  const x = per(a, name, requestsA)
  const y = per(b, name, requestsB)
  return { name, x, y, d: y - x }
})
const total = (m, n) => [...m.values()].reduce((s, v) => s + v, 0) / Number(n)
const heap = (m, n) => [...m].filter(([name]) => HEAP.test(name)).reduce((s, [, v]) => s + v, 0) / Number(n)
if (!inclusive) {
  const [ta, tb, ha, hb] = [total(a, requestsA), total(b, requestsB), heap(a, requestsA), heap(b, requestsB)]
  console.log(`listed functions' total per request: A ${ta.toFixed(0)}, B ${tb.toFixed(0)}`)
  console.log(
    `  of which V8's heap (GC): A ${ha.toFixed(0)}, B ${hb.toFixed(0)}; the rest: A ${(ta - ha).toFixed(0)}, B ${(tb - hb).toFixed(0)}`,
  )
}
console.log(`${inclusive ? 'inclusive' : 'self'} instructions per request:      A         B      B−A`)
const line = (r) =>
  `${r.x.toFixed(0).padStart(9)} ${r.y.toFixed(0).padStart(9)} ${(r.d >= 0 ? '+' : '') + r.d.toFixed(0).padStart(7)}  ${r.name.slice(0, 140)}`
rows.sort((p, q) => q.d - p.d)
for (const r of rows.slice(0, top)) console.log(line(r))
if (rows.length > top) {
  console.log('…')
  for (const r of rows.slice(Math.max(top, rows.length - Math.ceil(top / 4)))) console.log(line(r))
}
