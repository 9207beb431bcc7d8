import type { Executor } from '../store/database.js'

export interface WebAuthnChallenge {
  id: string
  purpose: 'register' | 'second_factor' | 'passwordless'
  userId: string | null
  challenge: string
  createdAt: number
  expiresAt: number
}

export interface WebAuthnChallengeStore {
  insert(challenge: WebAuthnChallenge): Promise<void>
  /** Takes a challenge out: it is returned once, and only while unexpired (single use). */
  consume(id: string, now: number): Promise<WebAuthnChallenge | null>
  /** Drops expired challenges; returns how many. */
  purgeExpired(now: number, limit: number): Promise<number>
}

export function createWebAuthnChallengeStore(db: Executor): WebAuthnChallengeStore {
  return {
    async insert(challenge) {
      await db
        .insertInto('webauthn_challenges')
        .values({
          id: challenge.id,
          purpose: challenge.purpose,
          user_id: challenge.userId,
          challenge: challenge.challenge,
          created_at: challenge.createdAt,
          expires_at: challenge.expiresAt,
        })
        .execute()
    },
    async consume(id, now) {
      // DELETE … RETURNING: of two requests racing with one challenge, only one gets the row.
      const row = await db.deleteFrom('webauthn_challenges').where('id', '=', id).returningAll().executeTakeFirst()
      if (!row || row.expires_at <= now) return null
      return {
        id: row.id,
        purpose: row.purpose,
        userId: row.user_id,
        challenge: row.challenge,
        createdAt: row.created_at,
        expiresAt: row.expires_at,
      }
    },
    async purgeExpired(now, limit) {
      const expired = db.selectFrom('webauthn_challenges').select('id').where('expires_at', '<=', now).limit(limit)
      const result = await db.deleteFrom('webauthn_challenges').where('id', 'in', expired).executeTakeFirst()
      return Number(result.numDeletedRows)
    },
  }
}
