// Summarises a V8 heap snapshot (v8.writeHeapSnapshot, --heapsnapshot-signal): self size by node
// type and constructor, and the source text of scripts by package, largest first.
//   node bench/tools/heap-summary.mjs FILE.heapsnapshot [--top N]
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'

const { values, positionals } = parseArgs({ options: { top: { type: 'string' } }, allowPositionals: true })
const top = Number(values.top ?? 30)
const snapshot = JSON.parse(readFileSync(positionals[0], 'utf8'))
const meta = snapshot.snapshot.meta
const fields = meta.node_fields
const types = meta.node_types[0]
const width = fields.length
const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f))
const { nodes, strings } = snapshot
const MB = (bytes) => (bytes / 1048576).toFixed(2)

const byType = new Map()
const byName = new Map()
let total = 0
for (let i = 0; i < nodes.length; i += width) {
  const type = types[nodes[i + typeAt]]
  const size = nodes[i + sizeAt]
  const name = strings[nodes[i + nameAt]]
  total += size
  byType.set(type, (byType.get(type) ?? 0) + size)
  const key = type === 'object' || type === 'closure' || type === 'code' || type === 'hidden' ? `${type}: ${name.slice(0, 60)}` : type
  const entry = byName.get(key) ?? { size: 0, count: 0 }
  entry.size += size
  entry.count++
  byName.set(key, entry)
}
console.log(`total self size ${MB(total)} MB in ${nodes.length / width} nodes`)
console.log('\nby node type (MB)')
for (const [type, size] of [...byType].sort((a, b) => b[1] - a[1])) console.log(`${MB(size).padStart(8)}  ${type}`)
console.log(`\nlargest constructors / names (MB, count), top ${top}`)
for (const [key, { size, count }] of [...byName].sort((a, b) => b[1].size - a[1].size).slice(0, top))
  console.log(`${MB(size).padStart(8)} ${String(count).padStart(8)}  ${key}`)
