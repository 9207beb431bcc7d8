import { Type } from '@sinclair/typebox'
import { seconds } from './seconds.js'

/** The background purge of expired and old rows. */
export const HousekeepingSettings = Type.Object(
  {
    interval: seconds(
      60,
      0,
      'TESSERA_HOUSEKEEPING_INTERVAL',
      'How often each instance purges expired rows (sessions, tokens, codes, flows, counters, old deliveries and audit entries) in the background. 0 turns housekeeping off on this instance.',
    ),
    batchSize: Type.Integer({
      default: 500,
      minimum: 1,
      maximum: 10_000,
      env: 'TESSERA_HOUSEKEEPING_BATCH_SIZE',
      description: 'Rows deleted per statement. Small batches keep every lock short; a run repeats them until nothing is left.',
    }),
    timeBudget: seconds(
      10,
      1,
      'TESSERA_HOUSEKEEPING_TIME_BUDGET',
      'A run starts no new batch after this long; the next run goes on where it stopped.',
    ),
    deliveryRetention: seconds(
      30 * 24 * 3600,
      3600,
      'TESSERA_HOUSEKEEPING_DELIVERY_RETENTION',
      'How long finished webhook, email and back-channel logout deliveries stay visible to operators. Pending deliveries are never purged.',
    ),
    auditRetention: seconds(
      365 * 24 * 3600,
      0,
      'TESSERA_HOUSEKEEPING_AUDIT_RETENTION',
      'How long audit entries are kept. A year by default, the minimum that PCI DSS 4.0 requirement 10.5.1 asks of audit logs; 0 keeps them for ever.',
    ),
    outboxRetention: seconds(
      7 * 24 * 3600,
      3600,
      'TESSERA_HOUSEKEEPING_OUTBOX_RETENTION',
      'How long an event stays in the outbox after every consumer (audit, webhooks, email, back-channel logout) has passed it; the audit log keeps its own copy.',
    ),
  },
  { default: {}, additionalProperties: false },
)
