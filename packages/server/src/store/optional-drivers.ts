import { createRequire } from 'node:module'
import type * as IoRedis from 'ioredis'
import type Pg from 'pg'

// The PostgreSQL and Redis clients are loaded when a postgres:// or redis:// URL is first opened,
// never on the SQLite default: together they are several megabytes of heap an embedded server
// would hold for nothing (docs/architecture.md, "Memory"). Both are CommonJS, so a synchronous
// require keeps every caller as it was; Node caches the module after the first load.
const require = createRequire(import.meta.url)

export function loadPg(): typeof Pg {
  return require('pg') as typeof Pg
}

export function loadIoredis(): typeof IoRedis {
  return require('ioredis') as typeof IoRedis
}
