import { ConfigError } from '../config/config-error.js'
import type { Config } from '../config/config-schema.js'
import { MasterKeyError } from '../keys/master-key.js'
import { ensureMasterKeyCheck } from '../keys/master-key-check.js'
import type { Clock } from '../shared/clock.js'
import { migrateToLatest } from '../store/migrate.js'
import { ensureReachable, type OpenDatabase, openDatabase } from '../store/open-database.js'

export interface OpenStoreOptions {
  masterKey: Buffer
  clock: Clock
  /** Skip migrations (for `tessera migrate`, which runs them itself). */
  skipMigrations?: boolean | undefined
  /** A pooled connection failed (counted as an expected failure). */
  onConnectionError: (error: Error) => void
}

/**
 * Opens the configured database, fails fast when it cannot be reached, migrates it and checks that
 * it was written under this master key. On any failure the pool is closed before the error goes up.
 */
export async function openStore(config: Config, options: OpenStoreOptions): Promise<OpenDatabase> {
  const database = openDatabase(config.databaseUrl, { onConnectionError: options.onConnectionError })
  try {
    await ensureReachable(database)
    if (!options.skipMigrations) {
      await migrateToLatest(database)
      await ensureMasterKeyCheck(database.db, options.masterKey, options.clock.now())
    }
  } catch (error) {
    await database.db.destroy()
    throw error instanceof MasterKeyError ? new ConfigError([error.message]) : error
  }
  return database
}
