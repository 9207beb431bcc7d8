/**
 * Tessera as a library: build the server in your own process (tests, embedding, benchmarks).
 * @example
 * import { createTessera, loadConfig } from 'tessera'
 * const tessera = await createTessera(loadConfig({ env: process.env }))
 * await (await tessera.app()).listen({ port: 4000 })
 */

export { createTessera, type Tessera, type TesseraRuntime } from './app/tessera.js'
export type { CliIo } from './cli/cli-io.js'
export { runCli } from './cli/run-cli.js'
export { ConfigError } from './config/config-error.js'
export type { Config } from './config/config-schema.js'
export { type LoadConfigInput, loadConfig } from './config/load-config.js'
export { type Clock, createManualClock, type ManualClock, systemClock } from './shared/clock.js'
export { ERRORS, type ErrorCode, type OAuthErrorName, TesseraError } from './shared/errors.js'
