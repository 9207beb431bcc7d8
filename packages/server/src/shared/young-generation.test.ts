import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { createYoungGeneration } from './young-generation.js'

const MB = 1024 * 1024
/** The built module, as bin/tessera.js loads it; `npm test` builds first (the `pretest` script). */
const BUILT = fileURLToPath(new URL('../../dist/shared/young-generation.js', import.meta.url))

// Keeps 24 MB of objects alive (the pattern of loading modules or dictionaries), measuring the
// young generation under a hold, then keeps as much again once released.
const SCRIPT = `
import { getHeapSpaceStatistics } from 'node:v8'
const { manageYoungGeneration, withoutYoungGrowth } = await import(${JSON.stringify(BUILT)})
const young = () => getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size
const kept = []
const survive = (megabytes) => { for (let i = 0; i < megabytes * 1024; i++) kept.push({ i, text: 'x'.repeat(900) + i }) }
const initial = young()
const release = manageYoungGeneration(process).hold()
survive(12)
withoutYoungGrowth(() => survive(12))
const held = young()
release()
survive(24)
console.log(JSON.stringify({ initial, held, released: young() }))
`

describe('young generation', () => {
  it('does not grow under a hold, nested or not, and grows again once released', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', SCRIPT], {
      env: { ...process.env, NODE_OPTIONS: '' },
    })
    const { initial, held, released } = JSON.parse(stdout)
    // V8 starts with 1 MB semi-spaces (2 MB once both are committed); without the hold, 24 MB of
    // survivors double them up to 2 × 16 MB.
    expect(initial).toBeLessThanOrEqual(2 * MB)
    expect(held).toBeLessThanOrEqual(2 * MB)
    expect(released).toBeGreaterThanOrEqual(8 * MB)
  })

  it('sets growth factor 1, serial scavenges and optimize-for-size for the first hold, and V8 defaults after the last release', () => {
    const flags: string[] = []
    const young = createYoungGeneration({ execArgv: [], env: {} }, (flag) => flags.push(flag))
    const outer = young.hold()
    const inner = young.hold()
    inner()
    inner()
    const held = '--semi-space-growth-factor=1 --no-parallel-scavenge --optimize-for-size'
    expect(flags).toEqual([held])
    outer()
    expect(flags).toEqual([held, '--semi-space-growth-factor=2 --parallel-scavenge --no-optimize-for-size'])
  })

  it('leaves an operator who chose a semi-space, scavenge or optimize-for-size flag alone, from the command line or NODE_OPTIONS', () => {
    const flags: string[] = []
    const set = (flag: string) => flags.push(flag)
    createYoungGeneration({ execArgv: ['--max-semi-space-size=8'], env: {} }, set).hold()()
    createYoungGeneration({ execArgv: [], env: { NODE_OPTIONS: '--max-old-space-size=512 --min_semi_space_size=2' } }, set).hold()()
    createYoungGeneration({ execArgv: ['--no-parallel-scavenge'], env: {} }, set).hold()()
    createYoungGeneration({ execArgv: [], env: { NODE_OPTIONS: '--optimize_for_size' } }, set).hold()()
    expect(flags).toEqual([])
  })
})
