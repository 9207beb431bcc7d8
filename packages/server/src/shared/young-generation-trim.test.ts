import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { createYoungGeneration } from './young-generation.js'
import { QUIET_SECONDS, trimYoungGenerationWhenIdle } from './young-generation-trim.js'

const MB = 1024 * 1024
/** The built module, as bin/tessera.js loads it; `npm test` builds first (the `pretest` script). */
const BUILT = fileURLToPath(new URL('../../dist/shared/young-generation-trim.js', import.meta.url))

/** A young generation whose readings the test sets, and a clock it ticks by hand. */
function fakeV8(committed: number) {
  const young = { committed, used: 0 }
  let tick = () => {}
  let stopped = false
  const scavenges: number[] = []
  let seconds = 0
  const stop = trimYoungGenerationWhenIdle({
    readYoung: () => ({ ...young }),
    scavenge: () => {
      scavenges.push(seconds)
      young.used = 0
    },
    repeat: (next, ms) => {
      expect(ms).toBe(1000)
      tick = next
      return () => {
        stopped = true
      }
    },
  })
  return {
    young,
    scavenges,
    stop,
    stopped: () => stopped,
    /** One second passes, in which the server allocates `bytes` (a scavenge by V8 when `bytes` is negative). */
    second(bytes = 0) {
      seconds++
      young.used = Math.max(0, young.used + bytes)
      tick()
    },
  }
}

describe('young generation trim (architecture.md §9, "Memory", after load)', () => {
  it('asks for one scavenge after six quiet seconds once load has grown the young generation, then one per quiet period', () => {
    const v8 = fakeV8(32 * MB)
    for (let s = 0; s < QUIET_SECONDS - 1; s++) v8.second(100_000)
    expect(v8.scavenges).toEqual([])
    v8.second(100_000)
    expect(v8.scavenges).toEqual([6])
    // V8 declined to shrink (the size stays): the next attempt waits for another quiet period.
    for (let s = 0; s < QUIET_SECONDS; s++) v8.second()
    expect(v8.scavenges).toEqual([6, 12])
  })

  it('does not scavenge while the server allocates, nor right after V8 ran a scavenge of its own', () => {
    const v8 = fakeV8(32 * MB)
    for (let s = 0; s < 30; s++) v8.second(s % 5 === 4 ? 2 * MB : 0) // a burst of requests every 5 s
    v8.second(0)
    for (let s = 0; s < 3; s++) v8.second()
    v8.second(-4 * MB) // V8 scavenged: a semi-space's worth was allocated
    for (let s = 0; s < QUIET_SECONDS - 1; s++) v8.second()
    expect(v8.scavenges).toEqual([])
    v8.second()
    expect(v8.scavenges).toHaveLength(1)
  })

  it('leaves a young generation at its initial size alone, however quiet', () => {
    const v8 = fakeV8(2 * MB)
    for (let s = 0; s < 60; s++) v8.second()
    expect(v8.scavenges).toEqual([])
    v8.young.committed = 16 * MB
    for (let s = 0; s < QUIET_SECONDS; s++) v8.second()
    expect(v8.scavenges).toHaveLength(1)
    v8.stop()
    expect(v8.stopped()).toBe(true)
  })

  it('is started only when the young generation is managed: an operator who set a semi-space flag is left alone', () => {
    let started = 0
    const start = () => {
      started++
      return () => {}
    }
    createYoungGeneration({ execArgv: [], env: {} }, () => {}, start).trimWhenIdle()
    createYoungGeneration({ execArgv: ['--max-semi-space-size=4'], env: {} }, () => {}, start).trimWhenIdle()
    createYoungGeneration({ execArgv: [], env: { NODE_OPTIONS: '--semi-space-growth-factor=2' } }, () => {}, start).trimWhenIdle()
    expect(started).toBe(1)
  })

  it("scavenges through V8's gc without leaving gc exposed to the server's context or to contexts made later", async () => {
    // --trace-gc prints a line per collection; a scavenge asked for through gc() has the reason "testing".
    const script = `
import { runInNewContext } from 'node:vm'
const { v8Scavenge } = await import(${JSON.stringify(BUILT)})
console.log('before')
v8Scavenge()()
console.log(JSON.stringify({ own: typeof globalThis.gc, later: runInNewContext('typeof gc') }))
`
    const { stdout } = await promisify(execFile)(process.execPath, ['--trace-gc', '--input-type=module', '-e', script], {
      env: { ...process.env, NODE_OPTIONS: '' },
    })
    const asked = stdout.slice(stdout.indexOf('before\n')).split('\n')
    expect(asked.filter((line) => /Scavenge.*testing/.test(line))).toHaveLength(1)
    expect(asked.filter((line) => /Mark-Compact/.test(line))).toHaveLength(0)
    expect(JSON.parse(asked.at(-2) ?? '')).toEqual({ own: 'undefined', later: 'undefined' })
  })
})
