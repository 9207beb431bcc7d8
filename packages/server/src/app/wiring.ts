import type { Config } from '../config/config-schema.js'
import type { Clock } from '../shared/clock.js'
import type { Metrics } from '../shared/metrics.js'
import type { RandomSource } from '../shared/random.js'
import type { Policies } from './policies.js'
import type { Stores, Transact } from './stores.js'

/**
 * What every wire-*.ts step of the composition root receives (tessera.ts). Each step builds one
 * concern's services from it and from the services of the steps before it.
 */
export interface Wiring {
  config: Config
  clock: Clock
  random: RandomSource
  stores: Stores
  transact: Transact
  /** This instance's metrics recorder (shared/metrics.ts). */
  recorder: Metrics
  /** Each purpose derives its own key from it with `subkey` (keys/master-key-check.ts). */
  masterKey: Buffer
  policies: Policies
}
