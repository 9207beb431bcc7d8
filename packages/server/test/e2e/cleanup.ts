import { rmSync } from 'node:fs'
import { afterEach } from 'vitest'
import { testTempDir } from '../test-database.js'

/** What a test started and must stop: each step runs after the test, the last registered first. */
export interface Cleanup {
  /** Runs `step` after the test, before every step registered earlier. */
  push(step: () => unknown): void
  /**
   * A fresh temporary directory, removed after the test; it lies in the run's directory
   * (test-database.ts testTempDir), so what a test that overran its time limit writes after its
   * clean-up is removed when the run ends, or by the next run if this one is killed.
   */
  tempDir(prefix: string): string
}

/**
 * The clean-up stack of an end-to-end test file: call it once at the top of the file, register
 * what each test starts, and it is undone after that test in reverse order (so a process stops
 * before the directory it writes in is removed). Nothing carries over from one test to the next.
 */
export function useCleanup(): Cleanup {
  let steps: (() => unknown)[] = []
  afterEach(async () => {
    const pending = steps.reverse()
    steps = []
    for (const step of pending) await step()
  })
  const push = (step: () => unknown) => {
    steps.push(step)
  }
  return {
    push,
    tempDir(prefix) {
      const dir = testTempDir(prefix)
      push(() => rmSync(dir, { recursive: true, force: true }))
      return dir
    },
  }
}
