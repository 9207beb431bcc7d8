import { createAuthService } from '../auth/auth-service.js'
import type { RoleService } from '../rbac/role-service.js'
import { createSessionService } from '../sessions/session-service.js'
import { createPasswordHasher } from '../users/password-hasher.js'
import { createUserService } from '../users/user-service.js'
import type { Stores } from './stores.js'
import type { Wiring } from './wiring.js'

/** Users, their passwords, their sessions, and signing in. */
export function wireIdentity(wiring: Wiring, roles: RoleService) {
  const { config, clock, random, stores, transact, recorder, policies } = wiring
  const hasher = createPasswordHasher(config.argon2)
  const sessions = createSessionService({
    stores,
    transact,
    clock,
    random,
    policy: policies.session,
    revocationRetentionMs: policies.revocationRetentionMs,
  })
  const users = createUserService<Stores>({
    stores,
    transact,
    clock,
    random,
    hasher,
    passwordPolicy: policies.password,
    sessions,
    // Every new account gets the roles marked default, in the transaction that creates it.
    onCreated: (tx, user, actor) => roles.assignDefaultsIn(tx, user.id, actor),
  })
  const auth = createAuthService({
    stores,
    transact,
    clock,
    hasher,
    passwordPolicy: policies.password,
    users,
    sessions,
    throttlePolicy: policies.throttle,
    metrics: recorder,
    requireVerifiedEmail: config.signUp.requireVerifiedEmail,
  })
  return { hasher, sessions, users, auth }
}

export type Identity = ReturnType<typeof wireIdentity>
