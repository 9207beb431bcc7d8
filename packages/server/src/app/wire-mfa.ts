import type { ApplicationService } from '../applications/application-service.js'
import { subkey } from '../keys/master-key-check.js'
import { createMfaRequirement } from '../mfa/mfa-policy.js'
import { createMfaService } from '../mfa/mfa-service.js'
import { createRecoveryCodeHasher } from '../mfa/recovery-codes.js'
import { createSecondFactors } from '../mfa/second-factors.js'
import { createTotpSecretBox } from '../mfa/totp-secret-box.js'
import { createWebAuthnService } from '../mfa/webauthn-service.js'
import type { Identity } from './wire-identity.js'
import type { Wiring } from './wiring.js'

/** Second factors (issue 13): TOTP secrets sealed and recovery codes keyed under their own subkeys, passkeys. */
export function wireMfa(wiring: Wiring, deps: { identity: Identity; applications: ApplicationService }) {
  const { config, clock, random, stores, transact, masterKey, policies } = wiring
  const recoveryCodeHasher = createRecoveryCodeHasher(subkey(masterKey, 'recovery-code-hash'))
  const mfa = createMfaService({
    transact,
    clock,
    random,
    secretBox: createTotpSecretBox(subkey(masterKey, 'totp-secret-encryption')),
    recoveryCodes: recoveryCodeHasher,
    issuerName: new URL(config.issuer).host,
    revocationRetentionMs: policies.revocationRetentionMs,
    policy: config.mfa.policy,
  })
  const webauthn = createWebAuthnService({
    transact,
    clock,
    random,
    issuer: config.issuer,
    rpName: new URL(config.issuer).host,
    recoveryCodes: recoveryCodeHasher,
    policy: config.mfa.policy,
  })
  const secondFactors = createSecondFactors({
    mfa,
    webauthn,
    guard: deps.identity.auth.guardSecondFactor,
    users: stores.users,
    required: createMfaRequirement({
      policy: config.mfa.policy,
      applicationRequires: async (clientId) => (await deps.applications.find(clientId))?.requireMfa ?? false,
    }),
  })
  return { mfa, webauthn, secondFactors }
}

export type MfaWiring = ReturnType<typeof wireMfa>
