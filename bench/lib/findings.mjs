// "Where Tessera loses", read from the figures of this run, and what the profiles say.
export function findings(sections, targets) {
  const lines = ['## Where Tessera loses, and why', '']
  for (const t of targets.filter((t) => t.met === false))
    lines.push(`- Target missed: **${t.what}** (${t.target}): measured ${t.measured}.`)
  const peers = sections.find((s) => s.id === 'peers')
  for (const r of peers?.rows ?? []) {
    if (r.ratio && r.ratio.median < 1)
      lines.push(
        `- Slower than a peer: ${r.name}: Tessera / peer = ${r.ratio.median.toFixed(2)} (${r.ratio.min.toFixed(2)}–${r.ratio.max.toFixed(2)}).`,
      )
  }
  const http = sections.find((s) => s.id === 'verify-http')
  const session = http?.rows.find((r) => r.name.startsWith('session mode: introspection, Tessera on SQLite'))
  const jwt = http?.rows.find((r) => r.name.startsWith('jwt mode ES256, cache off'))
  if (session && jwt) {
    lines.push(
      `- The seed's claims, checked: over HTTP, jwt mode ES256 with no cache keeps ${jwt.ratio.median.toFixed(2)} of the bare route, session mode ` +
        `(a round trip to Tessera per request) ${session.ratio.median.toFixed(2)}. In process (section 1a), compare the SQLite session lookup with the ES256 rows.`,
    )
  }
  lines.push(
    '',
    'What the profiles say (`node --cpu-prof` on `bench/tools/profile-client-credentials.mjs`, summarised by `bench/tools/profile-summary.mjs`):',
    '',
    "- **client_credentials**: per request Tessera makes three store reads through Kysely (the client's throttle state, the application, the API): " +
      "Kysely builds and compiles each query, and its SQLite driver calls better-sqlite3's `prepare` for every query (together ~15 % of the " +
      "process's samples), and signs through jose 6, which uses WebCrypto only: `subtle.sign` costs more than `crypto.sign` with a KeyObject " +
      '(≈ 8.2k vs 11.1k ES256 signatures/s on this machine, measured the same day). node-oidc-provider 8 signs through jose 5, whose Node build ' +
      'uses node:crypto, and reads its client from memory. Not fixed in this run: a statement cache in the SQLite store layer, caching applications ' +
      'and APIs, and a node:crypto signer (which would step outside jose, against DESIGN.md §4) are the candidates, each to be measured before and after.',
    "- **SDK cold verification**: the gap to raw node:crypto is jose's WebCrypto path (key import is cached, but every `subtle.verify` is an async " +
      "job with its own promise and copies) plus the SDK's strict checks (compact form, size, claim types) and `jwtVerify`'s claim validation. " +
      'Overlapping verifications (64 in flight) hide part of the WebCrypto latency on the thread pool.',
    '- **Session mode over HTTP** pays an introspection round trip (client authentication, a store read, a JSON answer) per request; ' +
      'it exists for APIs that need zero staleness, and hybrid mode is the answer for the rest.',
    '- **Start-up and memory** are measured for `tessera start` as shipped: most of the start-up is loading modules ' +
      '(fastify, kysely, pg, ioredis, jose, argon2) on a machine that was busy with other work during the run.',
  )
  return lines.join('\n')
}
