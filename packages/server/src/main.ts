#!/usr/bin/env node
import { runCli } from './cli/run-cli.js'

/** The `tessera` executable: the only place that touches process.argv, process.env and signals. */
const shutdownHandlers: (() => Promise<void>)[] = []
let stopping = false

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1)
    stopping = true
    Promise.all(shutdownHandlers.map((handler) => handler()))
      .then(() => process.exit(0))
      .catch(() => process.exit(1))
  })
}

const code = await runCli(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readStdin: async () => {
    const chunks: Buffer[] = []
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks).toString('utf8')
  },
  onShutdown: (handler) => shutdownHandlers.push(handler),
})
// `start` keeps running through its server; every other command is done.
if (code !== 0 || shutdownHandlers.length === 0) process.exitCode = code
