import { describe, expect, it } from 'vitest'
import { checkWebhookTarget, type ResolveHost } from './webhook-target.js'

function resolverOf(answers: Record<string, string[]>): ResolveHost {
  return async (hostname) => {
    const addresses = answers[hostname]
    if (!addresses) throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' })
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))
  }
}

const check = (url: string, answers: Record<string, string[]>, allowPrivate = false) =>
  checkWebhookTarget(new URL(url), { resolve: resolverOf(answers), allowPrivate })

describe('where a webhook URL points', () => {
  it('resolves the host and returns the address to connect to', async () => {
    expect(await check('https://hooks.example.com/', { 'hooks.example.com': ['93.184.216.34'] })).toEqual({
      ok: true,
      target: { address: '93.184.216.34', family: 4 },
    })
  })

  it('refuses a host name that resolves to a private address', async () => {
    expect(await check('https://internal.example.com/', { 'internal.example.com': ['10.0.0.7'] })).toEqual({
      ok: false,
      reason: 'address_forbidden',
      range: 'private',
    })
  })

  it('refuses when any one of the answers is forbidden, not only the first', async () => {
    const result = await check('https://mixed.example.com/', { 'mixed.example.com': ['93.184.216.34', '127.0.0.1'] })
    expect(result).toMatchObject({ ok: false, range: 'loopback' })
  })

  it('checks IP literals without asking the resolver, including IPv6 in brackets and odd IPv4 spellings', async () => {
    expect(await check('https://[::1]:8443/', {})).toMatchObject({ ok: false, range: 'loopback' })
    expect(await check('https://0x7f.1/', {})).toMatchObject({ ok: false, range: 'loopback' })
    expect(await check('https://2130706433/', {})).toMatchObject({ ok: false, range: 'loopback' })
    expect(await check('https://[::ffff:a00:1]/', {})).toMatchObject({ ok: false, range: 'private' })
    expect(await check('https://93.184.216.34/', {})).toMatchObject({ ok: true })
  })

  it('allows loopback and private addresses with the development allowance', async () => {
    expect(await check('http://127.0.0.1:9999/', {}, true)).toMatchObject({ ok: true })
    expect(await check('http://receiver.local/', { 'receiver.local': ['192.168.1.20'] }, true)).toMatchObject({ ok: true })
  })

  it('refuses the cloud metadata addresses even with the development allowance', async () => {
    expect(await check('http://169.254.169.254/latest/meta-data/', {}, true)).toMatchObject({ ok: false, range: 'metadata' })
    expect(await check('http://metadata.example/', { 'metadata.example': ['fd00:ec2::254'] }, true)).toMatchObject({
      ok: false,
      range: 'metadata',
    })
  })

  it('reports a host that does not resolve', async () => {
    expect(await check('https://nowhere.example.com/', {})).toEqual({ ok: false, reason: 'dns_failed' })
    expect(await check('https://empty.example.com/', { 'empty.example.com': [] })).toEqual({ ok: false, reason: 'dns_failed' })
  })
})
