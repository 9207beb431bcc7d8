import { isIPv4, isIPv6 } from 'node:net'

/** Why an address is no place to send a webhook (SSRF: OWASP Server-Side Request Forgery Prevention Cheat Sheet). */
export type ForbiddenRange = 'metadata' | 'unspecified' | 'loopback' | 'private' | 'link_local' | 'shared' | 'multicast' | 'reserved'

type Rule = readonly [prefix: string, bits: number, range: ForbiddenRange]

// First match wins, so the metadata addresses come before the ranges that contain them.
const IPV4_RULES: readonly Rule[] = [
  ['169.254.169.254', 32, 'metadata'], // AWS, GCP, Azure, OpenStack instance metadata
  ['0.0.0.0', 8, 'unspecified'], // "this network"; 0.0.0.0 reaches the local host on Linux
  ['10.0.0.0', 8, 'private'], // RFC 1918
  ['100.64.0.0', 10, 'shared'], // RFC 6598 carrier-grade NAT
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link_local'], // RFC 3927
  ['172.16.0.0', 12, 'private'], // RFC 1918
  ['192.0.0.0', 24, 'reserved'], // RFC 6890 IETF protocol assignments
  ['192.0.2.0', 24, 'reserved'], // RFC 5737 documentation
  ['192.168.0.0', 16, 'private'], // RFC 1918
  ['198.18.0.0', 15, 'reserved'], // RFC 2544 benchmarking
  ['198.51.100.0', 24, 'reserved'], // RFC 5737
  ['203.0.113.0', 24, 'reserved'], // RFC 5737
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'], // includes 255.255.255.255
]

const IPV6_RULES: readonly Rule[] = [
  ['fd00:ec2::254', 128, 'metadata'], // AWS instance metadata over IPv6
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['64:ff9b:1::', 48, 'private'], // RFC 8215 local-use NAT64
  ['100::', 64, 'reserved'], // RFC 6666 discard
  ['2001::', 32, 'reserved'], // Teredo: the IPv4 inside is obfuscated, so refuse the lot
  ['2001:db8::', 32, 'reserved'], // RFC 3849 documentation
  ['fc00::', 7, 'private'], // RFC 4193 unique local
  ['fe80::', 10, 'link_local'],
  ['fec0::', 10, 'private'], // deprecated site-local
  ['ff00::', 8, 'multicast'],
]

/** IPv6 prefixes that carry an IPv4 address, and where it sits: such an address is judged by its IPv4. */
const EMBEDDED_IPV4: readonly (readonly [prefix: string, bits: number, offset: number])[] = [
  ['::ffff:0:0', 96, 12], // IPv4-mapped
  ['64:ff9b::', 96, 12], // RFC 6052 NAT64
  ['2002::', 16, 2], // 6to4
  ['::', 96, 12], // IPv4-compatible (deprecated); :: and ::1 are matched before
]

/**
 * The forbidden range an IP address falls in, or null for a public unicast address. Accepts
 * IPv4, IPv6 (with an optional zone, as in `fe80::1%eth0`) and IPv6 literals in brackets.
 * @example
 * forbiddenRange('10.1.2.3') // 'private'
 * forbiddenRange('::ffff:127.0.0.1') // 'loopback'
 */
export function forbiddenRange(address: string): ForbiddenRange | null {
  const bare = address.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '')
  if (isIPv4(bare)) return match(ipv4Bytes(bare), IPV4_RULES, ipv4Bytes)
  if (!isIPv6(bare)) throw new Error('not an IP address')
  const bytes = ipv6Bytes(bare)
  const direct = match(bytes, IPV6_RULES, ipv6Bytes)
  if (direct) return direct
  for (const [prefix, bits, offset] of EMBEDDED_IPV4) {
    if (inPrefix(bytes, ipv6Bytes(prefix), bits)) return match(bytes.subarray(offset, offset + 4), IPV4_RULES, ipv4Bytes)
  }
  return null
}

function match(bytes: Uint8Array, rules: readonly Rule[], parse: (value: string) => Uint8Array): ForbiddenRange | null {
  for (const [prefix, bits, range] of rules) if (inPrefix(bytes, parse(prefix), bits)) return range
  return null
}

function inPrefix(bytes: Uint8Array, prefix: Uint8Array, bits: number): boolean {
  for (let bit = 0; bit < bits; bit += 1) {
    const mask = 0x80 >> (bit % 8)
    if (((bytes[bit >> 3] as number) & mask) !== ((prefix[bit >> 3] as number) & mask)) return false
  }
  return true
}

function ipv4Bytes(address: string): Uint8Array {
  return Uint8Array.from(address.split('.').map(Number))
}

/** 16 bytes of a valid IPv6 address (checked by isIPv6 first), including `::` and a dotted IPv4 tail. */
function ipv6Bytes(address: string): Uint8Array {
  let text = address.toLowerCase()
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (tail) {
    const [a = 0, b = 0, c = 0, d = 0] = ipv4Bytes(tail[1] as string)
    text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head = '', rest] = text.split('::')
  const left = head === '' ? [] : head.split(':')
  const right = rest === undefined || rest === '' ? [] : rest.split(':')
  const groups = rest === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
  const bytes = new Uint8Array(16)
  groups.forEach((group, index) => {
    const value = Number.parseInt(group, 16)
    bytes[index * 2] = value >> 8
    bytes[index * 2 + 1] = value & 0xff
  })
  return bytes
}
