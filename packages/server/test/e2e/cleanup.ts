import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'

/** What a test started and must stop: each step runs after the test, the last registered first. */
export interface Cleanup {
  /** Runs `step` after the test, before every step registered earlier. */
  push(step: () => unknown): void
  /** A fresh temporary directory, removed after the test. */
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
      const dir = mkdtempSync(join(tmpdir(), prefix))
      push(() => rmSync(dir, { recursive: true, force: true }))
      return dir
    },
  }
}
