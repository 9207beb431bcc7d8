import type { TesseraRuntime } from '../app/tessera.js'

/** What a CLI command may touch of the outside world; main.ts supplies the real process. */
export interface CliIo {
  env: Record<string, string | undefined>
  cwd: string
  stdout(text: string): void
  stderr(text: string): void
  /** All of standard input, for secrets that must not appear in argv. */
  readStdin(): Promise<string>
  /** Registers what to run when the process is asked to stop (SIGINT, SIGTERM). */
  onShutdown(handler: () => Promise<void>): void
  /** What every Tessera the command opens is given (an in-process host's own password estimator). */
  runtime?: Pick<TesseraRuntime, 'passwordEstimator'>
}

/** A command's outcome: its exit code. */
export type ExitCode = 0 | 1 | 2 | 78
