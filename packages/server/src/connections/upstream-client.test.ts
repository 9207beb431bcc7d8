import { describe, expect, it } from 'vitest'
import type { Connection } from './connection.js'
import { createUpstreamClient, type UpstreamClientDeps } from './upstream-client.js'

function clientWith(library: UpstreamClientDeps['library']) {
  return createUpstreamClient({
    resolve: async () => [{ address: '203.0.113.1', family: 4 }],
    timeoutMs: 1000,
    production: true,
    clock: { now: () => 0 },
    redirectUri: (id) => `https://id.example.com/v1/connections/${id}/callback`,
    clientSecret: () => 'secret',
    privateKey: async () => null,
    library,
  })
}
const connection = { id: 'con_1', type: 'oidc', issuer: 'https://upstream.example.com' } as Connection

describe('upstream client', () => {
  it('loads openid-client with the first round trip, not when it is created', async () => {
    let loads = 0
    const upstream = clientWith(async () => {
      loads++
      throw new Error('stop here')
    })
    upstream.forget('con_1')
    expect(loads).toBe(0)
    await expect(upstream.begin(connection, 'state')).rejects.toThrow('stop here')
    expect(loads).toBe(1)
  })

  it('throws, rather than blame the upstream, when openid-client cannot load', async () => {
    const upstream = clientWith(() => Promise.reject(new Error("Cannot find package 'openid-client'")))
    await expect(upstream.begin(connection, 'state')).rejects.toThrow(/openid-client/)
    const pending = { nonce: null, codeVerifier: 'v' }
    await expect(upstream.finish(connection, new URLSearchParams('code=c&state=s'), 's', pending)).rejects.toThrow(/openid-client/)
  })
})
