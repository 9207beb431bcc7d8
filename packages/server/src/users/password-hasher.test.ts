import { describe, expect, it } from 'vitest'
import { createPasswordHasher, parsePhc } from './password-hasher.js'

const OWASP = { memoryCost: 19456, timeCost: 2, parallelism: 1 }

describe('password hasher', () => {
  const hasher = createPasswordHasher(OWASP)

  it('produces an argon2id PHC string with the configured parameters and a fresh salt', async () => {
    const first = await hasher.hash('correct horse battery staple')
    const second = await hasher.hash('correct horse battery staple')
    expect(first).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
    expect(parsePhc(first)).toEqual(OWASP)
    expect(first).not.toBe(second)
  })

  it('verifies the right password and refuses a wrong one or a malformed hash', async () => {
    const phc = await hasher.hash('correct horse battery staple')
    expect(await hasher.verify(phc, 'correct horse battery staple')).toBe(true)
    expect(await hasher.verify(phc, 'correct horse battery stapl')).toBe(false)
    expect(await hasher.verify('$argon2id$garbage', 'x')).toBe(false)
    expect(await hasher.verify('', 'x')).toBe(false)
  })

  it('asks for a rehash when any parameter has risen, and not otherwise', async () => {
    const phc = await hasher.hash('correct horse battery staple')
    expect(hasher.needsRehash(phc)).toBe(false)
    expect(createPasswordHasher({ ...OWASP, memoryCost: 32768 }).needsRehash(phc)).toBe(true)
    expect(createPasswordHasher({ ...OWASP, timeCost: 3 }).needsRehash(phc)).toBe(true)
    expect(createPasswordHasher({ ...OWASP, parallelism: 2 }).needsRehash(phc)).toBe(true)
    expect(hasher.needsRehash('$argon2i$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo')).toBe(true)
  })

  it('hashes off the event loop: timers keep firing while a hash runs', async () => {
    let ticks = 0
    let running = true
    const spin = () => {
      ticks += 1
      if (running) setImmediate(spin)
    }
    setImmediate(spin)
    await Promise.all([hasher.hash('a password to hash'), hasher.hash('another password')])
    running = false
    // A synchronous hash would block the loop for its whole duration (tens of ms): no ticks.
    expect(ticks).toBeGreaterThan(10)
  })

  it('burns the same work for an unknown account as for a wrong password', async () => {
    await expect(hasher.burn('whatever')).resolves.toBeUndefined()
  })
})
