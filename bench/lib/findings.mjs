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
    "- **client_credentials**: per request Tessera makes four store reads through Kysely (the client's throttle state, the application, the API, and since RBAC the permissions its roles grant) " +
      "and signs through jose 6, which uses WebCrypto only. Kysely's SQLite driver prepared every query again (better-sqlite3 `prepare` was ~5 % of " +
      'the samples, Kysely ~9 %): the SQLite store now keeps one prepared statement per SQL text (`store/sqlite-statement-cache.ts`), measured ' +
      'with `bench/tools/ab-token-endpoint.mjs` (two builds, same process, interleaved): after / before = 1.42 (1.14–2.42) and 1.15 (0.87–2.47) in two runs. ' +
      'What remains: WebCrypto `subtle.sign` is now the largest single item (~20 % of the samples). A node:crypto KeyObject signer (the compact JWS ' +
      'built by hand, which [architecture.md §4](architecture.md) rules out) was tried and measured: 0.87 (0.66–1.94) and 1.45 (0.74–2.24) of the statement-cache build in two ' +
      'runs, no clear gain on this shared 2-core machine (node:crypto signs on the main thread; WebCrypto does the arithmetic on the thread pool, ' +
      'and spends less main-thread time per signature), so it was not kept. node-oidc-provider 8 signs through jose 5 (node:crypto) and reads its ' +
      'client from memory. Since issue 17 a running Tessera (`tessera start`, and these suites, which start the background tasks as it does) reads ' +
      'the application, the API and the role grants through a per-instance cache (`app/config-cache.ts`) that every revocation signal drops ' +
      '(NOTIFY, Redis, the poll) and that every change of a client, an API or a role signals, so another instance sees a deleted client, a rotated ' +
      "secret or a removed role within the feed's lag (docs/revocation-feed.md). One read per request remains, the throttle state, and the " +
      'signature. Cache on / off, same build, `ab-token-endpoint.mjs`, 6 interleaved rounds at load average ~18: 1.37 (0.87–4.02), inside the noise ' +
      'of that machine.',
    "- **SDK cold verification**: the gap to raw node:crypto is jose's WebCrypto path (key import is cached, but every `subtle.verify` is an async " +
      "job with its own promise and copies) plus the SDK's strict checks (compact form, size, claim types) and `jwtVerify`'s claim validation. " +
      'Overlapping verifications (64 in flight) hide part of the WebCrypto latency on the thread pool.',
    "- **Session mode over HTTP** pays an introspection round trip per request, and Tessera's introspection (RFC 7662) costs more than its " +
      "session check: the resource server's client authentication reads the client's throttle state (so that a right secret is refused while " +
      'the client is locked out, on every instance), then the access-token record and the session joined to its user are read; the ' +
      'application, the API and the client cut-off come from the per-instance cache. On SQLite these are in-process reads; on PostgreSQL each is ' +
      'a round trip, which is why the PostgreSQL ratio is the lower one. Session mode exists for APIs that need zero staleness; hybrid mode is ' +
      'the answer for the rest.',
    "- **Start-up and memory** (a CPU profile of `tessera start` and a heap snapshot, see [architecture.md §9](architecture.md)): compiling every route's JSON " +
      "schemas was ~40 % of the start-up CPU time, now done on each route's first request; the libraries of optional features (PostgreSQL, " +
      'Redis, WebAuthn, SMTP, QR codes) load on first use. What remains of the idle RSS is Node itself (~34 MB of binary and libraries), the ' +
      "code of the modules that serve every request, and V8's young generation (2 × 16 MB once grown): section 4 measures the last with a " +
      '4 MB semi-space beside the default. Sign-in is bound by argon2id at the OWASP minimum (19 MiB, t=2), ≈ 10 ms per hash on an idle machine.',
  )
  return lines.join('\n')
}
