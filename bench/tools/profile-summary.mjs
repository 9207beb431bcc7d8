// Prints the top self-time functions of a .cpuprofile (node --cpu-prof), grouped by function and file.
import { readFileSync } from 'node:fs'

const profile = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const top = Number(process.argv[3] ?? 30)
const self = new Map()
const byId = new Map(profile.nodes.map((node) => [node.id, node]))
const dt = profile.timeDeltas
let total = 0
profile.samples.forEach((id, index) => {
  const node = byId.get(id)
  const { functionName, url, lineNumber } = node.callFrame
  const key = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/packages\//, '')}:${lineNumber + 1}`
  const delta = dt[index] ?? 0
  total += delta
  self.set(key, (self.get(key) ?? 0) + delta)
})
for (const [key, time] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${((100 * time) / total).toFixed(1).padStart(5)}%  ${key}`)
}

// The same self time, by package (node_modules name, node internals, Tessera's own files).
const byPackage = new Map()
for (const [key, time] of self) {
  const where = key.split(' ').slice(1).join(' ')
  const name = where.startsWith('node:')
    ? 'node:internal'
    : where.startsWith(':')
      ? key.split(' ')[0]
      : (where.match(/^(@[^/]+\/[^/]+|[^/:]+)/)?.[1] ?? where)
  byPackage.set(name, (byPackage.get(name) ?? 0) + time)
}
console.log('\nby package:')
for (const [name, time] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 20)) {
  console.log(`${((100 * time) / total).toFixed(1).padStart(5)}%  ${name}`)
}
