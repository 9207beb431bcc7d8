import { tmpdir } from 'node:os'
import { expect } from 'vitest'
import type { CliIo } from '../src/cli/cli-io.js'
import { runCli } from '../src/cli/run-cli.js'
import { sharedSourcePasswordEstimator } from './password-estimator.js'

export type Env = Record<string, string | undefined>

export interface CliResult {
  code: number
  stdout: string
  stderr: string
  /** How many times the command read standard input. */
  stdinReads: number
}

/** Runs one CLI invocation in-process against a fake IO that records everything written. */
export async function cli(env: Env, argv: string[], stdin = ''): Promise<CliResult> {
  let stdout = ''
  let stderr = ''
  let stdinReads = 0
  const io: CliIo = {
    env,
    cwd: tmpdir(),
    stdout: (text) => {
      stdout += text
    },
    stderr: (text) => {
      stderr += text
    },
    readStdin: async () => {
      stdinReads += 1
      return stdin
    },
    onShutdown: () => {
      throw new Error('only `start` registers shutdown handlers')
    },
    // The estimator's thread runs from source here, as the rest of the command does.
    runtime: { passwordEstimator: sharedSourcePasswordEstimator() },
  }
  const code = await runCli(argv, io)
  return { code, stdout, stderr, stdinReads }
}

/** `--json` output is exactly one JSON object on one line, and nothing else. */
export function oneJsonObject(text: string): Record<string, unknown> {
  expect(text.endsWith('\n')).toBe(true)
  const lines = text.slice(0, -1).split('\n')
  expect(lines).toHaveLength(1)
  const value: unknown = JSON.parse(lines[0] as string)
  expect(typeof value === 'object' && value !== null && !Array.isArray(value)).toBe(true)
  return value as Record<string, unknown>
}

/** A refused `--json` command: nothing on stdout, one JSON error object on stderr; returns its code. */
export function jsonErrorCode(result: CliResult): string {
  expect(result.stdout).toBe('')
  const body = oneJsonObject(result.stderr) as { error?: { code?: unknown; message?: unknown } }
  expect(typeof body.error?.message).toBe('string')
  return body.error?.code as string
}
