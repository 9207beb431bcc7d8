// The environment `tessera start` reads for one server on a SQLite data directory, and a free port
// for it. Node built-ins only, and only these two: bench/tools/footprint-phases.mjs measures the
// memory of the process that imports this file.
import { createServer } from 'node:net'
import { join } from 'node:path'

export async function freePort() {
  const probe = createServer()
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address()
  await new Promise((resolve) => probe.close(resolve))
  return port
}

/** TESSERA_* for `tessera start` on `dir` (its data directory and SQLite file), listening on 127.0.0.1:`port`. */
export function startEnv(dir, port) {
  return {
    TESSERA_DATA_DIR: dir,
    TESSERA_DATABASE_URL: `sqlite:${join(dir, 'tessera.db')}`,
    TESSERA_PORT: String(port),
    TESSERA_HOST: '127.0.0.1',
    TESSERA_ISSUER: `http://127.0.0.1:${port}`,
    TESSERA_LOG_LEVEL: 'silent',
    TESSERA_RATE_LIMIT_CREDENTIALS_PER_IP: '1000000',
  }
}
