import { createHmac, timingSafeEqual } from 'node:crypto'

/** A nonce is good for the window it was made in and the next one: one to two minutes. */
const WINDOW_MS = 60_000

export interface DpopNonces {
  /** The nonce to hand out now (`DPoP-Nonce`). */
  current(now: number): string
  isValid(nonce: string, now: number): boolean
}

/**
 * RFC 9449 §8: server-provided nonces, stateless so that every instance accepts what another
 * handed out: the window number and an HMAC of it under a key derived from the master key.
 */
export function createDpopNonces(key: Buffer): DpopNonces {
  const make = (window: number) => {
    const mac = createHmac('sha256', key).update(`dpop-nonce:${window}`).digest().subarray(0, 16)
    return `${window.toString(36)}.${mac.toString('base64url')}`
  }
  return {
    current: (now) => make(Math.floor(now / WINDOW_MS)),
    isValid(nonce, now) {
      if (nonce.length > 64) return false
      const window = Math.floor(now / WINDOW_MS)
      return [window, window - 1].some((candidate) => {
        const expected = Buffer.from(make(candidate))
        const given = Buffer.from(nonce)
        return given.length === expected.length && timingSafeEqual(given, expected)
      })
    },
  }
}
