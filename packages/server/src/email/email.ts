import { join } from 'node:path'
import type { Clock } from '../shared/clock.js'
import type { RandomSource } from '../shared/random.js'
import type { Transact } from '../store/transaction.js'
import { createDevelopmentOutbox } from './development-outbox.js'
import type { EmailComposer } from './email-composer.js'
import { createEmailDispatcher, type EmailDispatcher, type EmailStores } from './email-dispatcher.js'
import { createEmailService, type EmailService } from './email-service.js'
import type { EmailBranding } from './email-templates.js'
import type { EmailTransport } from './email-transport.js'
import { createSmtpTransport } from './smtp-transport.js'
import { parseSmtpUrl } from './smtp-url.js'
import type { TransportHealthChange } from './transport-health.js'

export interface EmailDeps<S extends EmailStores> {
  stores: EmailStores
  transact: Transact<S>
  clock: Clock
  random: RandomSource
  production: boolean
  /** TESSERA_SMTP_URL, or empty for the development outbox. */
  smtpUrl: string
  /** TESSERA_EMAIL_FROM, or empty for `no-reply@<issuer host>`. */
  from: string
  timeoutMs: number
  issuer: string
  dataDir: string
  branding: EmailBranding
  sealKey: Buffer
  composers: readonly EmailComposer<S>[]
  /** The development outbox's line per message (recipient, subject, link). */
  logOutbox: (fields: { to: string; subject: string; link: string | null; file: string }) => void
  onComposeError: (error: unknown, eventSeq: number) => void
  /** Once per outage, and once when it ends (email/transport-health.ts). */
  onTransportHealth?: (change: TransportHealthChange) => void
}

export interface Email {
  /** The delivery log and whether email can be sent. */
  service: EmailService
  /** Null in production without SMTP: nothing is sent, and the flows that need email refuse. */
  dispatcher: EmailDispatcher | null
  transport: EmailTransport['kind'] | null
  close(): void
}

/**
 * Email over SMTP, or the development outbox when no SMTP server is configured and this is not
 * production (docs/email.md). Production without SMTP sends nothing and says so.
 */
export function createEmail<S extends EmailStores>(deps: EmailDeps<S>): Email {
  const issuerHost = new URL(deps.issuer).hostname
  let transport: EmailTransport | null = null
  if (deps.smtpUrl !== '') {
    const parsed = parseSmtpUrl(deps.smtpUrl)
    if (!parsed.ok) throw new Error('email.smtpUrl is invalid') // load-config refuses it first
    transport = createSmtpTransport({
      settings: parsed.settings,
      clientName: issuerHost,
      messageIdDomain: issuerHost,
      timeoutMs: deps.timeoutMs,
    })
  } else if (!deps.production) {
    transport = createDevelopmentOutbox({ dir: join(deps.dataDir, 'outbox'), messageIdDomain: issuerHost, log: deps.logOutbox })
  }
  const dispatcher = transport
    ? createEmailDispatcher({
        stores: deps.stores,
        transact: deps.transact,
        clock: deps.clock,
        random: deps.random,
        sealKey: deps.sealKey,
        transport,
        from: { name: deps.branding.productName, address: deps.from || `no-reply@${issuerHost}` },
        branding: deps.branding,
        composers: deps.composers,
        onComposeError: deps.onComposeError,
        ...(deps.onTransportHealth ? { onTransportHealth: deps.onTransportHealth } : {}),
      })
    : null
  return {
    service: createEmailService({ stores: deps.stores, transport: transport?.kind ?? null }),
    dispatcher,
    transport: transport?.kind ?? null,
    close: () => transport?.close(),
  }
}
