import { describe, expect, it } from 'vitest'
import { CLI, serve } from '../../test/oauth-fixture.js'
import { sha256 } from '../shared/digest.js'

// Client secrets are compared in constant time, the stored digest's bytes made once per application object
// (applications/application-secret.ts, issue 17). Only the digest the object holds
// now may decide, and the comparison stays exact.

describe('client secret comparison', () => {
  it('accepts the secret and nothing else, and follows a digest the same object is given later', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished, 'sqlite')
    const { applications } = server.tessera.services
    const { application, clientSecret } = await applications.create({ name: 'job', type: 'm2m', apis: [], scopes: [] }, CLI)
    if (!clientSecret) throw new Error('a confidential client has a secret')
    expect(applications.secretMatches(application, clientSecret)).toBe(true)
    expect(applications.secretMatches(application, `${clientSecret}x`)).toBe(false)
    expect(applications.secretMatches(application, clientSecret.slice(0, -1))).toBe(false)
    expect(applications.secretMatches(application, '')).toBe(false)
    // The same object with another digest: the bytes held for the first must not answer for it.
    const changed = { ...application }
    expect(applications.secretMatches(changed, clientSecret)).toBe(true)
    changed.secretHash = sha256('another secret')
    expect(applications.secretMatches(changed, clientSecret)).toBe(false)
    expect(applications.secretMatches(changed, 'another secret')).toBe(true)
    changed.secretHash = null
    expect(applications.secretMatches(changed, clientSecret)).toBe(false)
  })
})
