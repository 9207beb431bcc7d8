import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

/** The built module, as bin/tessera.js loads it; `npm test` builds first (the `pretest` script). */
const BUILT = fileURLToPath(new URL('../../dist/shared/next-tick-shape.js', import.meta.url))

/**
 * The state of each property site of nextTick's queue-entry literal after eight full collections,
 * each made with no entry alive and followed by ticks (as a server's timers and socket callbacks run
 * between its ticks), read from V8's own print of nextTick's feedback.
 */
async function literalSitesAfterFullCollections(hold: boolean): Promise<string[]> {
  const script = `
if (${hold}) (await import(${JSON.stringify(BUILT)})).holdNextTickShape()
const tick = () => new Promise((resolve) => process.nextTick(resolve))
for (let round = 0; round < 8; round++) {
  await new Promise((resolve) => setTimeout(resolve, 1))
  globalThis.gc()
  for (let i = 0; i < 20; i++) await tick()
}
eval('%DebugPrint(process.nextTick)')
`
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--allow-natives-syntax', '--expose-gc', '--input-type=module', '-e', script],
    { env: { ...process.env, NODE_OPTIONS: '' }, maxBuffer: 16 * 1024 * 1024 },
  )
  return [...stdout.matchAll(/DefineKeyedOwnPropertyInLiteral (\w+)/g)].map((match) => match[1] as string)
}

describe("nextTick's queue entries on V8's fast path (docs/architecture.md §9)", () => {
  it('keeps every property site of the entry literal monomorphic through full collections', async () => {
    const sites = await literalSitesAfterFullCollections(true)
    expect(sites).toHaveLength(4)
    expect(sites.every((state) => state === 'MONOMORPHIC')).toBe(true)
  })

  it('without it, the same collections leave the sites megamorphic (what the hold is for, on this Node)', async () => {
    const sites = await literalSitesAfterFullCollections(false)
    expect(sites).toHaveLength(4)
    expect(sites).toContain('MEGAMORPHIC')
  })
})
