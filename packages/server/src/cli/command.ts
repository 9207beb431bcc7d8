import { createTessera, type Tessera, type TesseraRuntime } from '../app/tessera.js'
import type { Config } from '../config/config-schema.js'
import { type DeepPartial, loadConfig } from '../config/load-config.js'
import type { CommandSpec, ParsedArgs } from './cli-args.js'
import type { CliIo } from './cli-io.js'

export interface CommandContext {
  io: CliIo
  args: ParsedArgs
  json: boolean
  config(overrides?: DeepPartial<Config>): Config
  /** Opens Tessera (store, migrations, services); the command must close it. */
  open(runtime?: TesseraRuntime): Promise<Tessera>
  /** Prints one JSON object with --json, or the human text otherwise. */
  output(json: unknown, human: string): void
}

export interface Command {
  spec: CommandSpec
  /** Resolves with the exit code; `start` resolves once the server listens. */
  run(context: CommandContext): Promise<number>
}

export function createContext(io: CliIo, args: ParsedArgs): CommandContext {
  const json = args.values.json === true
  const file = typeof args.values.config === 'string' ? args.values.config : undefined
  const config = (overrides?: DeepPartial<Config>) =>
    loadConfig({ env: io.env, cwd: io.cwd, ...(file ? { file } : {}), ...(overrides ? { overrides } : {}) })
  return {
    io,
    args,
    json,
    config,
    // Commands other than start log nothing but errors, so their output stays scriptable.
    open: (runtime) =>
      createTessera(config({ logLevel: 'error' }), {
        logStream: { write: (line: string) => io.stderr(line) },
        ...io.runtime,
        ...runtime,
      }),
    output(value, human) {
      io.stdout(json ? `${JSON.stringify(value)}\n` : human.endsWith('\n') ? human : `${human}\n`)
    },
  }
}

/** Opens Tessera, runs `work`, and always closes it. */
export async function withTessera<T>(context: CommandContext, work: (tessera: Tessera) => Promise<T>): Promise<T> {
  const tessera = await context.open()
  try {
    return await work(tessera)
  } finally {
    await tessera.close()
  }
}
