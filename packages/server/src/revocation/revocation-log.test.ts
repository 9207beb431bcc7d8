import { describe, expect, it } from 'vitest'
import { HOUR, type Open, openTestStores, T0 } from '../../test/store-fixture.js'
import { DIALECTS } from '../../test/test-database.js'

function testRevocationLog(open: Open) {
  it('numbers entries with a strictly increasing sequence and lists them in order', async () => {
    const { stores } = await open()
    const first = await stores.revocations.append({ kind: 'session', sid: 'sess_one' }, T0, T0 + HOUR)
    const second = await stores.revocations.append(
      { kind: 'user_token_version', sub: 'usr_ann', minTokenVersion: 3 },
      T0 + 1,
      T0 + 1 + HOUR,
    )
    const third = await stores.revocations.append({ kind: 'session', sid: 'sess_two' }, T0 + 2, T0 + 2 + HOUR)
    expect(typeof first).toBe('number')
    expect(second).toBeGreaterThan(first)
    expect(third).toBeGreaterThan(second)

    expect(await stores.revocations.listAfter(0, 10)).toEqual([
      { seq: first, entry: { kind: 'session', sid: 'sess_one' }, createdAt: T0, expiresAt: T0 + HOUR },
      {
        seq: second,
        entry: { kind: 'user_token_version', sub: 'usr_ann', minTokenVersion: 3 },
        createdAt: T0 + 1,
        expiresAt: T0 + 1 + HOUR,
      },
      { seq: third, entry: { kind: 'session', sid: 'sess_two' }, createdAt: T0 + 2, expiresAt: T0 + 2 + HOUR },
    ])
  })

  it('lists only the entries after a given sequence, up to the limit', async () => {
    const { stores } = await open()
    const seqs: number[] = []
    for (let i = 0; i < 5; i++) seqs.push(await stores.revocations.append({ kind: 'session', sid: `sess_${i}` }, T0 + i, T0 + HOUR))
    const after = async (seq: number, limit: number) => (await stores.revocations.listAfter(seq, limit)).map((each) => each.seq)

    expect(await after(seqs[1] as number, 10)).toEqual(seqs.slice(2))
    expect(await after(seqs[1] as number, 2)).toEqual(seqs.slice(2, 4))
    expect(await after(seqs[4] as number, 10)).toEqual([])
  })

  it('tells whether an unexpired entry of a kind names a subject, and a JWT whether its jti or its key is revoked', async () => {
    const { stores } = await open()
    const { revocations } = stores
    await revocations.append({ kind: 'access_token', jti: 'jti_dead' }, T0, T0 + HOUR)
    await revocations.append({ kind: 'key', kid: 'kid_dead' }, T0, T0 + HOUR)
    // A key's id in an access_token entry (or the reverse) revokes nothing of the other kind.
    await revocations.append({ kind: 'access_token', jti: 'kid_live' }, T0, T0 + HOUR)
    await revocations.append({ kind: 'key', kid: 'jti_live' }, T0, T0 + HOUR)
    const now = T0 + 1
    expect(await revocations.isRevoked('access_token', 'jti_dead', now)).toBe(true)
    expect(await revocations.isRevoked('key', 'kid_dead', now)).toBe(true)
    expect(await revocations.isRevoked('key', 'jti_dead', now)).toBe(false)
    expect(await revocations.isRevoked('access_token', 'jti_live', now)).toBe(false)
    // Up to its expiry, to the millisecond.
    expect(await revocations.isRevoked('access_token', 'jti_dead', T0 + HOUR - 1)).toBe(true)
    expect(await revocations.isRevoked('access_token', 'jti_dead', T0 + HOUR)).toBe(false)

    expect(await revocations.isAccessTokenOrKeyRevoked('jti_dead', 'kid_live', now)).toBe(true)
    expect(await revocations.isAccessTokenOrKeyRevoked('jti_live', 'kid_dead', now)).toBe(true)
    expect(await revocations.isAccessTokenOrKeyRevoked('jti_dead', 'kid_dead', now)).toBe(true)
    expect(await revocations.isAccessTokenOrKeyRevoked('jti_live', 'kid_live', now)).toBe(false)
    expect(await revocations.isAccessTokenOrKeyRevoked('kid_dead', 'jti_dead', now)).toBe(false)
    expect(await revocations.isAccessTokenOrKeyRevoked('jti_dead', 'kid_dead', T0 + HOUR - 1)).toBe(true)
    expect(await revocations.isAccessTokenOrKeyRevoked('jti_dead', 'kid_dead', T0 + HOUR)).toBe(false)
  })
}

for (const dialect of DIALECTS) {
  describe(`revocation log on ${dialect}`, () => testRevocationLog(() => openTestStores(dialect)))
}
