import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { type ForbiddenRange, forbiddenRange } from './ip-ranges.js'

export interface ResolvedAddress {
  address: string
  family: 4 | 6
}

/** Resolves a host name to its addresses; injected so tests decide what DNS says. */
export type ResolveHost = (hostname: string) => Promise<ResolvedAddress[]>

/** The operating system's resolver (getaddrinfo: /etc/hosts, then DNS), as connections use it. */
export const systemResolver: ResolveHost = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }))

export type TargetCheck =
  | { ok: true; target: ResolvedAddress }
  | { ok: false; reason: 'dns_failed' }
  | { ok: false; reason: 'address_forbidden'; range: ForbiddenRange }

/**
 * Resolves the URL's host and checks every address it resolves to. The caller must connect to
 * the returned address, not resolve the name again: a second answer could differ (DNS rebinding).
 * The cloud metadata addresses are refused even with the development allowance: no receiver
 * lives there, and a secret-bearing request to them is exactly what SSRF is after.
 */
export async function checkWebhookTarget(url: URL, options: { resolve: ResolveHost; allowPrivate: boolean }): Promise<TargetCheck> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  let addresses: ResolvedAddress[]
  if (isIP(host) !== 0) {
    addresses = [{ address: host, family: isIP(host) === 6 ? 6 : 4 }]
  } else {
    try {
      addresses = await options.resolve(host)
    } catch {
      return { ok: false, reason: 'dns_failed' }
    }
  }
  const first = addresses[0]
  if (!first) return { ok: false, reason: 'dns_failed' }
  // Every answer must pass, not just the one we would use: a mixed answer is an attack, not an accident.
  for (const { address } of addresses) {
    const range = isIP(address) === 0 ? 'reserved' : forbiddenRange(address)
    if (range === 'metadata' || (range !== null && !options.allowPrivate)) return { ok: false, reason: 'address_forbidden', range }
  }
  return { ok: true, target: first }
}
