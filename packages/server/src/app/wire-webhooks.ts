import type { ApplicationService } from '../applications/application-service.js'
import { createBackchannelDispatcher } from '../backchannel/backchannel-dispatcher.js'
import type { KeyService } from '../keys/key-service.js'
import { subkey } from '../keys/master-key-check.js'
import { createWebhookSender } from '../webhooks/webhook-sender.js'
import { systemResolver } from '../webhooks/webhook-target.js'
import { createWebhooks } from '../webhooks/webhooks.js'
import type { Wiring } from './wiring.js'

/** Outgoing notifications: webhooks, and OIDC back-channel logout tokens sent under the same network rules. */
export function wireWebhooks(wiring: Wiring, deps: { keys: KeyService; applications: ApplicationService }) {
  const { config, clock, random, stores, transact, recorder, masterKey } = wiring
  const webhooks = createWebhooks({
    stores,
    transact,
    clock,
    random,
    secretKey: subkey(masterKey, 'webhook-secret-encryption'),
    production: config.env === 'production',
    timeoutMs: config.webhooks.timeout * 1000,
    connectTimeoutMs: config.webhooks.connectTimeout * 1000,
    rotationOverlapMs: config.webhooks.secretRotationOverlap * 1000,
    metrics: recorder,
  })
  // OIDC Back-Channel Logout 1.0: logout tokens go out with the webhooks' network rules.
  const backchannel = createBackchannelDispatcher({
    issuer: config.issuer,
    stores,
    transact,
    clock,
    random,
    findApplication: deps.applications.find,
    signer: () => deps.keys.signer(),
    send: createWebhookSender({
      resolve: systemResolver,
      production: config.env === 'production',
      timeoutMs: config.webhooks.timeout * 1000,
      connectTimeoutMs: Math.min(config.webhooks.connectTimeout, config.webhooks.timeout) * 1000,
    }),
  })
  return { webhooks, backchannel }
}
