import type { Logger } from 'pino'
import { accountEmailComposers } from '../accounts/account-email-composers.js'
import { createAccounts } from '../accounts/accounts.js'
import { createEmail } from '../email/email.js'
import { subkey } from '../keys/master-key-check.js'
import type { PrometheusMetrics } from '../metrics/prometheus-metrics.js'
import type { Identity } from './wire-identity.js'
import type { Wiring } from './wiring.js'

export interface AccountWiringDeps {
  logger: Logger
  metrics: PrometheusMetrics
  identity: Identity
}

/** Email delivery, and the account changes it carries: verification, password reset, change of address. */
export function wireAccounts(wiring: Wiring, { logger, metrics, identity }: AccountWiringDeps) {
  const { hasher, sessions, users } = identity
  const { config, clock, random, stores, transact, masterKey, policies } = wiring
  const codeKey = subkey(masterKey, 'account-codes')
  const createdEmail = createEmail({
    stores,
    transact,
    clock,
    random,
    production: config.env === 'production',
    smtpUrl: config.email.smtpUrl,
    from: config.email.from,
    timeoutMs: config.email.timeout * 1000,
    issuer: config.issuer,
    dataDir: config.dataDir,
    branding: {
      productName: config.email.productName,
      color: config.email.brandColor,
      logoUrl: config.email.logoUrl,
      supportAddress: config.email.supportAddress,
    },
    sealKey: subkey(masterKey, 'email-variables'),
    composers: accountEmailComposers({
      issuer: config.issuer,
      random,
      clock,
      codeKey,
      policy: policies.accountToken,
      defaultLocale: config.defaultLocale,
    }),
    // The line the development outbox exists for (never in production, which has no outbox).
    logOutbox: (fields) => logger.info({ outbox: fields }, 'Email written to the development outbox'),
    onComposeError: (error, eventSeq) => logger.error({ err: error, eventSeq }, 'email could not be composed'),
    // Issue 12: an SMTP outage is one warning when it starts and one line when it ends, not one per attempt.
    onTransportHealth: (change) =>
      change.state === 'down'
        ? logger.warn(
            { code: 'email_transport_down', error: change.error },
            'email cannot be sent: messages are kept and retried (see the delivery log)',
          )
        : logger.info(
            { code: 'email_transport_up', failedAttempts: change.failedAttempts, downForMs: change.downForMs },
            'email is being sent again',
          ),
  })

  // Each dispatcher round's attempts are counted for /metrics (tessera_email_attempts_total).
  const countedDispatcher = createdEmail.dispatcher && {
    ...createdEmail.dispatcher,
    tick: async () => {
      const report = await (createdEmail.dispatcher as NonNullable<typeof createdEmail.dispatcher>).tick()
      metrics.emailAttempts(report.sent, report.failed)
      return report
    },
  }
  const email = { ...createdEmail, dispatcher: countedDispatcher }

  const accounts = createAccounts({
    stores,
    transact,
    clock,
    hasher,
    passwordPolicy: policies.password,
    sessions,
    codeKey,
    policy: policies.accountToken,
    limits: policies.accountLimits,
    requireEmail: email.service.requireAvailable,
    users,
  })
  return { email, accounts }
}
