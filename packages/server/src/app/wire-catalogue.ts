import { createAdminBootstrap } from '../admin/admin-bootstrap.js'
import { createApiService } from '../apis/api-service.js'
import { createApplicationService } from '../applications/application-service.js'
import { isBuiltInApplication, resolveBuiltInApplication } from '../console/console-client.js'
import { createKeyService } from '../keys/key-service.js'
import { subkey } from '../keys/master-key-check.js'
import { createRoleService } from '../rbac/role-service.js'
import { revokeTokensOfApi } from '../tokens/api-token-cut-off.js'
import { createConfigCache } from './config-cache.js'
import type { Stores } from './stores.js'
import type { Wiring } from './wiring.js'

/**
 * What administrators declare: signing keys, APIs, applications and roles, and the per-instance
 * cache token requests read the last three through.
 */
export function wireCatalogue({ config, clock, random, stores, transact, masterKey, policies }: Wiring) {
  const { revocationRetentionMs } = policies
  const keys = createKeyService({
    stores,
    transact,
    clock,
    masterKey: subkey(masterKey, 'signing-key-encryption'),
    algorithm: config.keys.algorithm,
    rsaModulusLength: config.keys.rsaModulusLength,
    policy: {
      rotationIntervalMs: config.keys.rotationInterval * 1000,
      prePublishMs: config.keys.prePublish * 1000,
      maxTokenLifetimeMs: config.tokens.maxAccessTokenTtl * 1000,
    },
    revocationRetentionMs,
  })
  const apis = createApiService<Stores>({
    stores,
    transact,
    clock,
    random,
    maxAccessTokenTtl: config.tokens.maxAccessTokenTtl,
    // A deleted API's live tokens die with it, in the same transaction.
    onDeleted: (tx, identifier, now) => revokeTokensOfApi(tx, identifier, now, config.tokens.maxAccessTokenTtl * 1000),
  })
  const applications = createApplicationService({
    stores,
    transact,
    clock,
    random,
    revocationRetentionMs,
    builtIn: {
      isBuiltIn: isBuiltInApplication,
      resolve: (application) => resolveBuiltInApplication(application, config.issuer),
    },
  })
  const roles = createRoleService({ stores, transact, clock, random, revocationRetentionMs })
  // Token requests read clients, APIs and role grants through this cache; it stores nothing until
  // the signals that invalidate it run (background-tasks.ts).
  const cache = createConfigCache({ applications, apis, roles, revocations: stores.revocations, rootStores: stores })
  const adminBootstrap = createAdminBootstrap({ transact, applications, roles })
  return { keys, apis, applications, roles, cache, adminBootstrap }
}

export type Catalogue = ReturnType<typeof wireCatalogue>
