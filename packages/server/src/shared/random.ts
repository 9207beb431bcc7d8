import { randomBytes } from 'node:crypto'

/** The source of randomness for all domain code; always a CSPRNG outside tests. */
export interface RandomSource {
  bytes(length: number): Buffer
}

export const cryptoRandom: RandomSource = { bytes: (length) => randomBytes(length) }

/** `length` random bytes as base64url without padding (RFC 4648 §5). */
export function randomToken(random: RandomSource, length: number): string {
  return random.bytes(length).toString('base64url')
}
