import { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair, importPKCS8, type JWK } from 'jose'
import type { Actor, EventOutbox } from '../events/event-outbox.js'
import type { RevocationLog } from '../revocation/revocation-log.js'
import type { Clock } from '../shared/clock.js'
import { TesseraError } from '../shared/errors.js'
import type { Transact } from '../store/transaction.js'
import { createSigner, type Signer } from './jwt-signer.js'
import { decryptPrivateKey, encryptPrivateKey } from './key-encryption.js'
import { createKeySetView } from './key-set-view.js'
import { isPublished, planRotation, type RotationPolicy, type SigningAlgorithm, type SigningKey } from './signing-key.js'
import type { SigningKeyStore } from './signing-key-store.js'

/** The stores the key service works on: signing keys, the revocation log (a revoked key) and the outbox. */
export interface KeyServiceStores {
  keys: SigningKeyStore
  revocations: RevocationLog
  events: EventOutbox
}

export interface KeyServiceDeps {
  /** Reads outside a transaction. */
  stores: Pick<KeyServiceStores, 'keys'>
  transact: Transact<KeyServiceStores>
  clock: Clock
  masterKey: Buffer
  algorithm: SigningAlgorithm
  rsaModulusLength: number
  policy: RotationPolicy
  /** How long a key revocation matters in the log: the longest token lifetime. */
  revocationRetentionMs: number
}

export type { Signer } from './jwt-signer.js'

export type KeyService = ReturnType<typeof createKeyService>

/** How long an instance trusts its in-memory view of the key set; other instances' changes show up within it. */
const VIEW_TTL_MS = 1000

/**
 * Signing keys: generation, encryption at rest, the rotation schedule, revocation, and the
 * in-memory signer. Private keys are decrypted and imported once per key, never per token.
 */
export function createKeyService(deps: KeyServiceDeps) {
  const { stores, transact, clock } = deps
  const imported = new Map<string, Promise<Signer>>()
  const view = createKeySetView({ clock, ttlMs: VIEW_TTL_MS, read: () => stores.keys.listCurrent() })

  /**
   * The key set, cached for a second, concurrent misses sharing one read (keys/key-set-view.ts).
   * Inside a transaction pass its stores: on SQLite the transaction holds the only connection, so
   * reading through the pool would wait for ever.
   */
  function currentKeys(tx?: Pick<KeyServiceStores, 'keys'>): Promise<SigningKey[]> {
    return view.current(tx ? () => tx.keys.listCurrent() : undefined)
  }

  /** The signer of a key: decrypted and imported by jose once per key, never per token (keys/jwt-signer.ts). */
  function signerOf(key: SigningKey): Promise<Signer> {
    let cached = imported.get(key.kid)
    if (!cached) {
      const pkcs8 = decryptPrivateKey(deps.masterKey, key.kid, key.encryptedPrivateKey)
      cached = importPKCS8(pkcs8, key.alg).then((privateKey) => createSigner(key.kid, key.alg, privateKey))
      imported.set(key.kid, cached)
    }
    return cached
  }

  async function generate(state: 'active' | 'next', activatesAt: number | null): Promise<SigningKey> {
    const alg = deps.algorithm
    const pair = await generateKeyPair(alg, {
      extractable: true,
      ...(alg === 'RS256' || alg === 'PS256' ? { modulusLength: deps.rsaModulusLength } : {}),
    })
    const jwk = await exportJWK(pair.publicKey)
    const kid = await calculateJwkThumbprint(jwk) // RFC 7638: a kid derived from the key itself
    const publicJwk: JWK = { ...jwk, kid, alg, use: 'sig' }
    return {
      kid,
      alg,
      state,
      publicJwk,
      encryptedPrivateKey: encryptPrivateKey(deps.masterKey, kid, await exportPKCS8(pair.privateKey)),
      createdAt: clock.now(),
      activatesAt,
      retiredAt: null,
      removeAfter: null,
      revokedAt: null,
    }
  }

  return {
    /**
     * Applies the rotation schedule: creates the first key, publishes the next one a
     * pre-publication window ahead, promotes it when due, and removes retired keys once every
     * token they signed has expired. Returns whether anything changed.
     */
    async maintain(): Promise<boolean> {
      const now = clock.now()
      const steps = planRotation(await stores.keys.listCurrent(), deps.policy, now)
      if (steps.length === 0) return false
      // Keys are generated outside the transaction: generation (RSA especially) is slow.
      const fresh = await Promise.all(
        steps.map((step) =>
          step.kind === 'create_active' ? generate('active', now) : step.kind === 'create_next' ? generate('next', step.activatesAt) : null,
        ),
      )
      await transact(async (tx) => {
        // Re-plan inside the transaction, under the key-set lock: another instance may have done the work already.
        await tx.keys.lockKeySet()
        const again = planRotation(await tx.keys.listCurrent(), deps.policy, now)
        for (const [index, step] of steps.entries()) {
          if (!again.some((other) => JSON.stringify(other) === JSON.stringify(step))) continue
          if (step.kind === 'promote') {
            if (step.retire) {
              await tx.keys.update(step.retire, { state: 'retired', retiredAt: now, removeAfter: now + deps.policy.maxTokenLifetimeMs })
            }
            await tx.keys.update(step.next, { state: 'active', activatesAt: now })
            await tx.events.append({
              type: 'key.rotated',
              actor: { kind: 'system' },
              userId: null,
              payload: { kid: step.next, retired: step.retire },
              ip: null,
              createdAt: now,
            })
          } else if (step.kind === 'remove') {
            await tx.keys.update(step.kid, { state: 'removed' })
          } else {
            const key = fresh[index] as SigningKey
            await tx.keys.insert(key)
            await tx.events.append({
              type: 'key.created',
              actor: { kind: 'system' },
              userId: null,
              payload: { kid: key.kid, state: key.state },
              ip: null,
              createdAt: now,
            })
          }
        }
      })
      view.drop()
      return true
    },

    /**
     * The key that signs now. Outside a transaction, a missing active key is created on the spot;
     * inside one (`tx`), it must already exist (the server applies the schedule at start).
     */
    async signer(tx?: Pick<KeyServiceStores, 'keys'>): Promise<Signer> {
      let active = (await currentKeys(tx)).find((key) => key.state === 'active')
      if (!active && !tx) {
        await this.maintain()
        active = (await currentKeys()).find((key) => key.state === 'active')
      }
      if (!active) throw new TesseraError('internal_error', { detail: 'no active signing key' })
      return signerOf(active)
    },

    /** The JWKS document: public members of every published key. */
    async jwks(): Promise<{ keys: JWK[] }> {
      return { keys: (await currentKeys()).filter(isPublished).map((key) => key.publicJwk) }
    },

    /** Published keys by kid, for verifying our own tokens (introspection, revocation). */
    async publishedKey(kid: string): Promise<SigningKey | null> {
      return (await currentKeys()).find((key) => key.kid === kid && isPublished(key)) ?? null
    },

    list(): Promise<SigningKey[]> {
      return stores.keys.listAll()
    },

    /**
     * Starts a rotation: a new key is published now and signs after the pre-publication window,
     * so every verifier's cached JWKS holds it by then. `immediate` skips the wait (for a
     * suspected compromise: verifiers with a stale cache refetch on an unknown kid).
     */
    async rotate(options: { immediate: boolean; actor: Actor }): Promise<SigningKey> {
      const now = clock.now()
      const key = await generate('next', options.immediate ? now : now + deps.policy.prePublishMs)
      await transact(async (tx) => {
        await tx.keys.lockKeySet()
        for (const existing of await tx.keys.listCurrent()) {
          // A newer rotation supersedes a pending one.
          if (existing.state === 'next') await tx.keys.update(existing.kid, { state: 'removed' })
        }
        await tx.keys.insert(key)
        await tx.events.append({
          type: 'key.created',
          actor: options.actor,
          userId: null,
          payload: { kid: key.kid, state: 'next', activatesAt: key.activatesAt },
          ip: null,
          createdAt: now,
        })
      })
      view.drop()
      if (options.immediate) await this.maintain()
      return (await stores.keys.findByKid(key.kid)) as SigningKey
    },

    /**
     * Revokes a key: unpublished at once and written to the revocation log, so every token it
     * signed dies. If it was signing, a successor takes over at once.
     */
    async revoke(kid: string, actor: Actor): Promise<SigningKey> {
      const now = clock.now()
      await transact(async (tx) => {
        await tx.keys.lockKeySet()
        const key = await tx.keys.findByKid(kid)
        if (!key || key.state === 'removed' || key.state === 'revoked') throw new TesseraError('key_not_found')
        await tx.keys.update(kid, { state: 'revoked', revokedAt: now })
        await tx.revocations.append({ kind: 'key', kid }, now, now + deps.revocationRetentionMs)
        await tx.events.append({
          type: 'key.revoked',
          actor,
          userId: null,
          payload: { kid, wasState: key.state },
          ip: null,
          createdAt: now,
        })
      })
      view.drop()
      imported.delete(kid)
      await this.maintain()
      return (await stores.keys.findByKid(kid)) as SigningKey
    },
  }
}
