import type pg from 'pg'
import type { Logger } from 'pino'
import { type BackoffPolicy, backoffDelay, RECONNECT_BACKOFF } from '../shared/backoff.js'
import { loadPg } from './optional-drivers.js'

export interface PostgresListenerOptions {
  connectionString: string
  /** A channel name Tessera chose (an identifier, never user input). */
  channel: string
  onNotification: () => void
  /**
   * Called on every established LISTEN, the first and each one after a loss: notifications sent
   * while the connection was down are gone, so the caller catches up from its source of truth.
   */
  onListening: () => void
  logger: Logger
  backoff?: BackoffPolicy
}

export interface PostgresListener {
  close(): Promise<void>
}

/**
 * A dedicated LISTEN connection that outlives PostgreSQL restarts and terminated backends: when
 * it is lost it is re-opened with capped exponential back-off and jitter, and LISTEN is issued
 * again. The loss is logged once and the recovery once, however many attempts lie between.
 * Resolves once the first LISTEN is in place, or rejects (start-up fails fast).
 */
export async function startPostgresListener(options: PostgresListenerOptions): Promise<PostgresListener> {
  const policy = options.backoff ?? RECONNECT_BACKOFF
  let current: pg.Client | undefined
  let closed = false
  let lost = false
  let attempt = 0
  let timer: NodeJS.Timeout | undefined

  const scheduleReconnect = () => {
    if (closed || timer) return
    timer = setTimeout(
      () => {
        timer = undefined
        listen().catch(scheduleReconnect)
      },
      backoffDelay(attempt++, policy),
    )
  }

  const dropped = (client: pg.Client, error?: Error) => {
    if (client !== current) return // a stale client, or one still connecting (its connect() rejects)
    current = undefined
    client.end().catch(() => undefined)
    if (closed) return
    if (!lost) {
      lost = true
      options.logger.warn(
        { reason: error?.message ?? 'connection ended' },
        'revocation LISTEN connection lost; reconnecting with back-off, the revocation poll covers meanwhile',
      )
    }
    scheduleReconnect()
  }

  async function listen(): Promise<void> {
    const client = new (loadPg().Client)({ connectionString: options.connectionString, connectionTimeoutMillis: 5_000, keepAlive: true })
    // Every error has a listener, always: an unhandled 'error' event would end the process.
    client.on('error', (error) => dropped(client, error))
    client.on('end', () => dropped(client))
    client.on('notification', () => options.onNotification())
    try {
      await client.connect()
      await client.query(`listen ${options.channel}`)
    } catch (error) {
      await client.end().catch(() => undefined)
      throw error
    }
    if (closed) {
      await client.end().catch(() => undefined)
      return
    }
    current = client
    attempt = 0
    if (lost) {
      lost = false
      options.logger.info('revocation LISTEN connection restored')
    }
    options.onListening()
  }

  await listen()
  return {
    async close() {
      closed = true
      clearTimeout(timer)
      const client = current
      current = undefined
      await client?.end().catch(() => undefined)
    },
  }
}
