import { onTestFinished } from 'vitest'
import { createVerifier } from '../src/verifier/create-verifier.js'
import type { Verifier } from '../src/verifier/verifier.js'
import type { VerifierOptions } from '../src/verifier/verifier-options.js'
import { type FakeTessera, startFakeTessera } from './fake-tessera.js'
import { createManualClock, type ManualClock } from './manual-clock.js'
import { accessTokenClaims, createSigningKey, type SigningKey, signToken } from './signing-keys.js'

export const AUDIENCE = 'https://api.example.test'
export const CLIENT = { id: 'orders-api', secret: 's3cret:with spaces' }

export interface VerifierFixture {
  tessera: FakeTessera
  key: SigningKey
  clock: ManualClock
  verifier: Verifier
  /** A good token signed now with `key`, with these claims replaced (undefined removes one). */
  token(claims?: Record<string, unknown>, header?: Record<string, unknown>): Promise<string>
  /** Another verifier against the same fake issuer. */
  another(options?: Partial<VerifierOptions>): Verifier
}

/**
 * A fake Tessera with one published ES256 key, a frozen clock and a verifier, all closed when the
 * test ends. Hybrid and session fixtures get client credentials and a fast reconnect.
 */
export async function createFixture(options: Partial<VerifierOptions> = {}): Promise<VerifierFixture> {
  const tessera = await startFakeTessera()
  const key = await createSigningKey('ES256')
  tessera.jwks.push(key.publicJwk)
  const clock = createManualClock(Date.now())
  const verifiers: Verifier[] = []
  const another = (extra: Partial<VerifierOptions> = {}) => {
    const merged = { ...options, ...extra }
    const verifier = createVerifier({
      issuer: tessera.issuer,
      audience: AUDIENCE,
      mode: 'jwt',
      clock,
      ...(merged.mode && merged.mode !== 'jwt' ? { client: CLIENT } : {}),
      reconnect: { initialDelay: 5, maxDelay: 20 },
      ...merged,
    })
    verifiers.push(verifier)
    return verifier
  }
  const verifier = another()
  onTestFinished(async () => {
    await Promise.all(verifiers.map((each) => each.close()))
    await tessera.close()
  })
  return {
    tessera,
    key,
    clock,
    verifier,
    another,
    token(claims = {}, header = {}) {
      const payload: Record<string, unknown> = accessTokenClaims(tessera.issuer, AUDIENCE, clock.now(), claims)
      for (const [name, value] of Object.entries(claims)) if (value === undefined) delete payload[name]
      return signToken(key, payload, header)
    },
  }
}

/** The code of the `TesseraAuthError` a promise rejects with. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    return (error as { code?: string }).code ?? `not a TesseraAuthError: ${String(error)}`
  }
  return 'resolved'
}

/** The `detail` of the `TesseraAuthError` a promise rejects with. */
export async function detailOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'resolved',
    (error: { detail?: string }) => error.detail ?? String(error),
  )
}
