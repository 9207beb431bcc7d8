import type { RandomSource } from './random.js'

/**
 * Ids that sort by the millisecond they were issued, for the rows a token rotation appends
 * (docs/architecture.md §12 "Token ids sort by their issue time"): a B-tree insert of such an id
 * lands on the rightmost pages of its index, beside the inserts of the same group commit, instead
 * of on a page of its own. The shape is that of every opaque id (shared/opaque-token.ts): 22
 * characters of base64url's alphabet, so rows with older, random ids keep working beside them.
 *
 * - 8 characters: the 48-bit Unix time in milliseconds, most significant first (UUIDv7's
 *   `unix_ts_ms`, RFC 9562 §5.7), written in base64url's 64 characters taken in ASCII order, so
 *   that a byte-wise comparison (SQLite's BINARY collation, JavaScript's `<`) orders by time
 *   (RFC 9562 §6.11, §6.13); base64url's own order (A–Z, a–z, 0–9, -, _) does not.
 * - 14 characters: 84 bits of tail, CSPRNG output (RFC 9562 §6.9; UUIDv7 keeps 74 random bits)
 *   or an HMAC under a server key, in base64url. Ids of one millisecond are unique by these bits,
 *   not by a counter: they sort by the millisecond only (RFC 9562 §6.2's order within one
 *   millisecond is not needed to append to an index), and no state is kept between calls.
 *
 * The prefix says when the id was issued, which the token's `iat` and `exp` say already; an id is
 * the lookup key of a token, never its proof: the secret half of every token stays 256 bits of
 * CSPRNG output or HMAC (RFC 9562 §8: a UUID is not to be taken as a security capability).
 * RFC 7519 §4.1.7 asks of a jti only that it be unique.
 */
const TIME_ALPHABET = '-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz'
const TIME_CHARS = 8
/** Bytes of tail an ordered id reads (the first 84 bits of them are used). */
export const ORDERED_TAIL_BYTES = 11
const TAIL_CHARS = 14
const MAX_TIME = 2 ** 48

/** The id of `tail` (at least ORDERED_TAIL_BYTES bytes) issued at `ms`. */
export function orderedId(ms: number, tail: Uint8Array): string {
  if (!Number.isInteger(ms) || ms < 0 || ms >= MAX_TIME) throw new RangeError('an ordered id needs a 48-bit millisecond time')
  if (tail.length < ORDERED_TAIL_BYTES) throw new RangeError(`an ordered id needs ${ORDERED_TAIL_BYTES} bytes of tail`)
  let time = ''
  let rest = ms
  for (let i = 0; i < TIME_CHARS; i++) {
    time = TIME_ALPHABET[rest % 64] + time
    rest = Math.floor(rest / 64)
  }
  return time + Buffer.from(tail.buffer, tail.byteOffset, ORDERED_TAIL_BYTES).toString('base64url').slice(0, TAIL_CHARS)
}

/** A new id issued at `ms`, with a CSPRNG tail. */
export function randomOrderedId(random: RandomSource, ms: number): string {
  return orderedId(ms, random.bytes(ORDERED_TAIL_BYTES))
}
