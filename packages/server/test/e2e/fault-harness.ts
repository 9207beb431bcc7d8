import { randomBytes } from 'node:crypto'
import { expect } from 'vitest'
import { createTessera } from '../../src/app/tessera.js'
import { loadConfig } from '../../src/config/load-config.js'
import { basic, createApi, createClient } from '../oauth-fixture.js'
import { sharedSourcePasswordEstimator } from '../password-estimator.js'
import { openSse, type SseConnection } from '../sse-client.js'
import { type Env, hasExited, type RunningTessera, startTessera, stopTessera } from './tessera-process.js'

// What the fault tests share: instances started as real processes, a load that records every
// answer, polling for a condition with a deadline (never a sleep), and the revocation feed.

export const PASSWORD = 'correct horse battery staple'
export const FEED_API = 'https://orders.example.test'

/** Settings every instance of a fault test shares. */
export function instanceEnv(databaseUrl: string, extra: Env = {}): Env {
  return {
    TESSERA_DATABASE_URL: databaseUrl,
    TESSERA_LOG_LEVEL: 'warn',
    // The load comes from one IP; the per-IP limit is not what these tests are about.
    TESSERA_RATE_LIMIT_CREDENTIALS_PER_IP: '100000',
    ...extra,
  }
}

/** `count` instances on one database, started one after the other (the first runs the migrations). */
export async function startInstances(env: Env, count: number, dataDir: string): Promise<RunningTessera[]> {
  const instances: RunningTessera[] = []
  for (let n = 0; n < count; n += 1) {
    instances.push(await startTessera({ TESSERA_DATA_DIR: dataDir, ...env }, { host: '127.0.0.1' }))
  }
  return instances
}

export async function stopAll(instances: RunningTessera[]): Promise<void> {
  await Promise.all(instances.map((instance) => stopTessera(instance)))
}

/** Polls `condition` every 20 ms until it holds; throws `what` (and `detail()`) once `ms` pass. */
export async function until(
  condition: () => boolean | Promise<boolean>,
  ms: number,
  what: string,
  detail: () => string = () => '',
): Promise<number> {
  const started = Date.now()
  for (;;) {
    if (await condition()) return Date.now() - started
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms: ${what}\n${detail()}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

export async function signUpBearer(base: string, email: string): Promise<{ token: string; sessionId: string }> {
  const response = await fetch(`${base}/v1/sign-up`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD, transport: 'bearer' }),
  })
  expect(response.status).toBe(201)
  const body = (await response.json()) as { session: { token: string; id: string } }
  return { token: body.session.token, sessionId: body.session.id }
}

export async function signOut(base: string, token: string): Promise<void> {
  const response = await fetch(`${base}/v1/sign-out`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })
  expect(response.status).toBe(204)
}

export interface Answer {
  instance: number
  status: number
  ms: number
  at: number
}

export interface Load {
  answers: Answer[]
  /** Answers of `instance` with `status` received after `since` (a Date.now() value). */
  count(instance: number, status: number, since?: number): number
  stop(): Promise<void>
}

/**
 * `lanes` concurrent session checks per instance, each lane sending its next request as soon as
 * the last one is answered. Status 0 records a failed request (connection refused or reset).
 */
export function startLoad(bases: string[], token: string, lanes = 4): Load {
  const answers: Answer[] = []
  let stopped = false
  const lane = async (instance: number) => {
    while (!stopped) {
      const started = Date.now()
      let status = 0
      try {
        const response = await fetch(`${bases[instance]}/v1/session`, {
          headers: { authorization: `Bearer ${token}` },
          signal: AbortSignal.timeout(10_000),
        })
        await response.arrayBuffer()
        status = response.status
      } catch {
        // status 0: no HTTP answer at all
      }
      answers.push({ instance, status, ms: Date.now() - started, at: started })
      if (status === 0) await new Promise((resolve) => setTimeout(resolve, 20)) // a dead instance must not spin
    }
  }
  const running = Promise.all(bases.flatMap((_, instance) => Array.from({ length: lanes }, () => lane(instance))))
  return {
    answers,
    count: (instance, status, since = 0) =>
      answers.filter((answer) => answer.instance === instance && answer.status === status && answer.at >= since).length,
    async stop() {
      stopped = true
      await running
    },
  }
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN
}

/** A hybrid API and a resource server that may read the revocation feed, created in-process on the shared database. */
export async function registerFeedReader(databaseUrl: string, masterKey: string, dataDir: string): Promise<string> {
  const config = loadConfig({
    env: {},
    overrides: { databaseUrl, masterKey, dataDir, issuer: 'https://id.example.test', logLevel: 'silent' },
  })
  const tessera = await createTessera(config, { passwordEstimator: sharedSourcePasswordEstimator() })
  try {
    await createApi({ tessera }, FEED_API, 'hybrid', ['orders:read'])
    return basic(await createClient({ tessera }, { type: 'resource-server', apis: [FEED_API], scopes: [] }))
  } finally {
    await tessera.close()
  }
}

export async function openFeed(base: string, readerAuth: string): Promise<SseConnection> {
  const feed = await openSse(`${base}/v1/revocations`, { authorization: readerAuth })
  expect(feed.status).toBe(200)
  await feed.next((event) => event.event === 'heartbeat')
  return feed
}

/**
 * Signs a fresh user up on `from`, signs it out there, and resolves with how long the revocation
 * took to reach `feed` (a subscriber of another instance), or rejects after `ms`.
 */
export async function propagationMs(from: string, feed: SseConnection, ms: number): Promise<number> {
  const { token, sessionId } = await signUpBearer(from, `p-${randomBytes(6).toString('hex')}@example.com`)
  const started = Date.now()
  await signOut(from, token)
  await feed.next((event) => event.event === 'revocation' && (event.data as { sid?: string }).sid === sessionId, ms)
  return Date.now() - started
}

/** For failure messages: how each instance is doing, and the end of what it wrote. */
export function describeInstances(instances: RunningTessera[]): string {
  return instances
    .map((instance, n) => {
      const state = hasExited(instance) ? `exited (code ${instance.child.exitCode}, signal ${instance.child.signalCode})` : 'running'
      return `instance ${n}: ${state}\n${instance.output().split('\n').slice(-12).join('\n')}`
    })
    .join('\n')
}

export function expectAlive(instances: RunningTessera[]): void {
  for (const instance of instances) expect(hasExited(instance), describeInstances(instances)).toBe(false)
}

export const masterKey = () => randomBytes(32).toString('base64url')
