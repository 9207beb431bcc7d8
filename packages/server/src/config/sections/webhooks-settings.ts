import { Type } from '@sinclair/typebox'
import { seconds } from './seconds.js'

/** Webhook delivery. */
export const WebhooksSettings = Type.Object(
  {
    timeout: seconds(
      10,
      1,
      'TESSERA_WEBHOOKS_TIMEOUT',
      'Longest a delivery attempt may take, from resolving the host to the response status; a slower receiver counts as failed and is retried.',
    ),
    connectTimeout: seconds(
      5,
      1,
      'TESSERA_WEBHOOKS_CONNECT_TIMEOUT',
      'Longest wait for a receiver to accept the connection (TCP and TLS), within webhooks.timeout.',
    ),
    secretRotationOverlap: seconds(
      24 * 3600,
      0,
      'TESSERA_WEBHOOKS_SECRET_ROTATION_OVERLAP',
      'After a secret rotation, deliveries are signed with both the new and the old secret for this long, so receivers can switch without rejecting an event.',
    ),
  },
  { default: {}, additionalProperties: false },
)
