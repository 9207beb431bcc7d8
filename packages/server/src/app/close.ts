import type { Config } from '../config/config-schema.js'
import type { MetricsServer } from '../metrics/metrics-server.js'
import type { RevocationHub } from '../revocation/revocation-hub.js'
import type { OpenDatabase } from '../store/open-database.js'
import type { RedisConnection } from '../store/redis-connection.js'
import type { BackgroundTasks } from './background-tasks.js'
import type { ConfigCache } from './config-cache.js'
import type { ExpectedFailures } from './expected-failures.js'
import type { HttpApp } from './wire-http.js'
import type { CommitListeners } from './wire-storage.js'

/** Whether shutdown has begun; /readyz reads it (wire-http.ts). */
export interface Lifecycle {
  draining: boolean
}

export interface CloseDeps {
  config: Config
  lifecycle: Lifecycle
  http: HttpApp
  metricsServer: MetricsServer | undefined
  background: BackgroundTasks | undefined
  email: { close(): void }
  cache: ConfigCache
  listeners: CommitListeners
  rateLimitRedis: RedisConnection | undefined
  hub: RevocationHub
  database: OpenDatabase
  failures: ExpectedFailures
}

/**
 * Shuts an instance down in the order that loses nothing: stop taking traffic, stop the background
 * work, close the connections that feed it, then the HTTP app, and the database last.
 */
export async function closeTessera(deps: CloseDeps): Promise<void> {
  const { config, lifecycle } = deps
  // Behind a load balancer: fail /readyz first, keep serving until the balancer has noticed.
  if (deps.http.built() && config.http.shutdownDelay > 0 && !lifecycle.draining) {
    lifecycle.draining = true
    await new Promise((resolve) => setTimeout(resolve, config.http.shutdownDelay * 1000))
  }
  lifecycle.draining = true
  await deps.metricsServer?.close()
  await deps.background?.stop()
  deps.email.close()
  deps.cache.disable()
  await deps.listeners.signals?.close()
  deps.rateLimitRedis?.close()
  await deps.http.close()
  // A revocation written just before (a CLI command) signals the hub after its commit: let that
  // read finish rather than fail on a destroyed pool.
  await deps.hub.idle()
  await deps.database.db.destroy()
  deps.failures.close()
}
