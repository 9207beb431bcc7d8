// "Where Tessera loses", read from the figures of this run, and what the profiles say.
export function findings(sections, targets) {
  const lines = ['## Where Tessera loses, and why', '']
  for (const t of targets.filter((t) => t.met === false))
    lines.push(`- Target missed: **${t.what}** (${t.target}): measured ${t.measured}.`)
  // A target whose measurement could not be made says why (e.g. issue 17 target 4 without the filed build).
  for (const t of targets.filter((t) => t.met === null && t.measured.startsWith('not measured:')))
    lines.push(`- Target not measured: **${t.what}** (${t.target}): ${t.measured.slice('not measured: '.length)}.`)
  const peers = sections.find((s) => s.id === 'peers')
  for (const r of peers?.rows ?? []) {
    if (r.ratio && r.ratio.median < 1)
      lines.push(
        `- Slower than a peer: ${r.name}: Tessera / peer = ${r.ratio.median.toFixed(2)} (${r.ratio.min.toFixed(2)}–${r.ratio.max.toFixed(2)}).`,
      )
  }
  const x = (s, digits = 2) => `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`
  const cc = peers?.rows.find((r) => r.name.startsWith('node-oidc-provider client_credentials'))
  if (cc?.cpuRatio && Number.isFinite(cc.cpuRatio.median))
    lines.push(
      `- client_credentials against node-oidc-provider: Tessera / peer ${x(cc.ratio)} by rate, ${x(cc.cpuRatio)} per CPU-second of the ` +
        "server process (every thread). Tessera signs on libuv's thread pool, node-oidc-provider on its event loop: the rate counts the second " +
        'core this machine has free for the signature; the CPU ratio is the cost per token, what a deployment whose cores are all busy gets.',
    )
  const http = sections.find((s) => s.id === 'verify-http')
  const hybrid = http?.rows.find((r) => r.name === 'hybrid mode (ES256), verified-token cache')
  const bare = http?.rows.find((r) => r.name.startsWith('unprotected route'))
  if (hybrid?.cpuRatio && bare && Number.isFinite(hybrid.cpuRatio.median))
    lines.push(
      `- Hybrid-guarded route: ${x(hybrid.ratio)} of the bare route by rate (${(hybrid.rate.median / 1000).toFixed(1)}k against ` +
        `${(bare.rate.median / 1000).toFixed(1)}k req/s), ${x(hybrid.cpuRatio)} per CPU-second of the resource server. On this 2-core machine ` +
        'the bare route takes about a core for the resource server and a core for autocannon, so its rate is bound by both and lowered by ' +
        'whatever else runs, and the rate ratio moves with it: two quiet runs of the same code 25 minutes apart (December 2026) measured ' +
        'the hybrid route at 44k and 43k req/s and the bare route at 47k and 57k, ratio 0.94 and 0.75. The ratio per CPU-second is the ' +
        "verifier's own cost (`bench/tools/verify-http-rounds.mjs` prints every process's CPU round by round).",
    )
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
    'What the profiles say (`bench/tools/profile-client-credentials.mjs`, the load phase only, summarised by `bench/tools/profile-summary.mjs`):',
    '',
    '- **client_credentials**: per request Tessera reads nothing from the store on the success path: the application, the API and the role grants come ' +
      'from a per-instance cache (`app/config-cache.ts`) that every revocation signal drops (NOTIFY, Redis, the poll) and that every change of a ' +
      "client, an API or a role signals, so another instance sees a deleted client, a rotated secret or a removed role within the feed's lag " +
      '(docs/revocation-feed.md); the client\'s throttle state is read only after a wrong secret (docs/tokens.md, "Client authentication and ' +
      'throttling": a right 256-bit secret is accepted during a lockout, a wrong one still gets the 429). The SQLite store keeps one prepared ' +
      'statement per SQL text (`store/sqlite-statement-cache.ts`). The signature was the largest single item (jose 6 signs through WebCrypto, ' +
      '13–21 % of the samples); the server now signs with node:crypto on a KeyObject made from the key jose imported (`keys/jwt-signer.ts`, ' +
      "[architecture.md §4](architecture.md): jose keeps key generation, import and every other JOSE operation; tests hold the output to jose's " +
      "verification and, for RS256 and Ed25519, to jose's bytes): callgrind 0.69 M → 0.40 M instructions per ES256 signature; server CPU per " +
      "client_credentials request 483 → 371 µs (interleaved A/B at load average 4–6). The jti's 128 random bits now come from a 4 KiB block " +
      'of CSPRNG output filled by one call (`shared/random.ts`; `randomBytes(16)` per token was 3.3 % of the samples, an OpenSSL call with ' +
      'its lock and fork check), and when the one-second view of the signing keys expires the requests in flight share one read of ' +
      '`signing_keys` instead of one each (`keys/key-set-view.ts`). The event loop is the one thread that bounds the rate, and the ES256 ' +
      "signature was its largest item: a client_credentials token (issued outside any transaction) now signs on libuv's thread pool while " +
      "the loop serves other requests ([architecture.md §4](architecture.md)): the main thread's CPU per request 167 → 102 µs, the process's " +
      '169 → 151 µs (`bench/tools/ab-token-endpoint.mjs`, 6 interleaved rounds, load average 14.6). What the loop still does per request: ' +
      "Node's HTTP parser and streams, Fastify's hooks and reply, the hand-off to the pool, and Tessera's own code (no item above 1.5 %). " +
      'The profile samples the main thread by wall clock, so on a busy machine it also counts the time the thread waits to run again ' +
      "after a system call: `writev` shows ~20 % of the samples (the hand-off's `run` as much), though strace times one writev at about " +
      '5 µs (one writev and one read per request); CPU per request read from /proc is the figure to compare. ' +
      'node-oidc-provider 8 signs through jose 5 (node:crypto, on its event loop) and reads its client from memory.',
    "- **Hybrid-guarded route** (the SDK's `requireAuth` on a cached token, `bench/tools/ab-sdk-hybrid-hook.mjs`): the verified-token cache " +
      "hashed the whole token (several hundred characters, a new string per request) on every hit; it now finds an entry by the token's last 32 " +
      'characters and compares the token whole, and a cached hit with a fresh feed settles without a promise: 369k → 708k hook calls per CPU-second. ' +
      'The hook is now a callback hook (no promise for Fastify to await), and the header of a cached token is not scanned by the bearer regex ' +
      '(the largest SDK item left, ~0.35 µs over ~600 characters: only a strictly verified compact token is ever cached, so `Bearer ` + it is ' +
      'a header RFC 6750 accepts; any other header is parsed in full): 1.00M → 3.19M hook calls per CPU-second; the resource server 15.4–15.9 → ' +
      '13.9–14.3 µs of CPU per request on the hybrid route against 11.8–12.3 µs bare (0.77–0.79 → 0.84–0.86 of bare per CPU-second, ' +
      'three before/after pairs of `bench/tools/verify-http-rounds.mjs` runs, load average 1–2); one clock reading per request and the ' +
      "request's parts built only off the cached path: 2.94M → 3.37M hook calls per CPU-second, within the noise over HTTP. The rest is mostly " +
      "Fastify's: a floor hook that only sets request.auth and calls done measured 13.1–13.5 µs against 11.7–12.3 µs bare (0.91), the hook " +
      "runner any route with a preHandler pays and the guarded route's larger body; the SDK's own share of a cached request is ~0.5–0.8 µs.",
    '- **SDK cold verification**: the SDK checks the signature with node:crypto on an imported KeyObject (`packages/sdk/src/jwks/signature-check.ts`) ' +
      "and reads the compact JWS by position (`tokens/compact-jws.ts`: the canonical form checked on each part's last character, the signing input, " +
      'signature and payload decoded into one buffer, the checked header remembered by its text); jose imports the keys, and tests hold the SDK to ' +
      "jose's answers on a corpus of valid and broken tokens (`tokens/jose-agreement.test.ts`). Once the keys are fetched a verification awaits " +
      'nothing. Instructions per ES256 token beyond the raw check, after warm-up, GC and JIT compilation left out (callgrind): 68k before, 31k after, ' +
      'on ~900k for the raw check; what remains is the claims (JSON.parse, checks), the frozen context and the cache insertion, and their GC. ' +
      "Until December 2026 the cold rows of 1a timed V8's warm-up more than that: V8 optimises the SDK's JavaScript only after 1,000 to 3,000 " +
      'verifications (`node --trace-opt`: TurboFan compiled parseCompactJws, verifyLocally, checkClaims and remember inside the timed rounds), ' +
      "the rounds timed 1,000 tokens each from the process's first, and the raw check, one call into OpenSSL, hardly warms up. In the 08:57 run " +
      "ES256 cold climbed round by round from 0.35 to 0.55 to 0.97 of raw per CPU-second while raw stayed flat (9.6k, 9.9k, 8.9k); callgrind over a process's " +
      'first 2,000 verifications (every thread, JIT and GC included): 1.09 M instructions per ES256 token against 0.94 M for raw; after 3 passes ' +
      'of 2,000: 0.96 M against 0.91 M. The suite now warms every case up before the rounds and shows the first pass apart, and the cases take ' +
      'turns over slices of 128 tokens, each case following every other equally often.',
    "- **Session mode over HTTP** pays an introspection round trip per request. Tessera's introspection (RFC 7662) reads the token, its " +
      "session and the session's user in one precompiled query; the application, the API and the cut-offs come from the per-instance cache. " +
      'What it costs beyond the session check is CPU (`bench/tools/ab-token-endpoint.mjs introspect`, server CPU per request): the form body, ' +
      "the client's Basic credentials and their SHA-256. Profiled over real sockets (`perf`, [architecture.md §9](architecture.md)), the gap is " +
      'spread thin, no item above ~4 µs: reading any form body costs bare Fastify ~4.6 µs over a GET, and an introspection hashes and compares ' +
      "two secrets (the client's and the token's) where the session check does one; the form is now read as a string and used in place (~3 % " +
      "of introspection's CPU). When the config cache holds the client and the read cache holds the token's row, an introspection awaits " +
      'nothing (five async layers fewer): server CPU per introspection 2–12 % lower in interleaved ' +
      'A/Bs at load average 17–20, introspection / session check by CPU 0.63–0.67 → 0.67–0.73 ([architecture.md §9](architecture.md)); ' +
      "what is left is RFC 7662 §2.1's caller authentication, the form body and the larger request. Its secret comparisons, the Basic " +
      'header and the token shape checks were then trimmed by ~1.5 µs (measured in isolation; over HTTP below the noise). ' +
      'Counted by instructions over real sockets (`bench/tools/callgrind-pipeline.mjs --route=`, `callgrind-diff.mjs`), the check is ' +
      "~118k per request and introspection ~157k: the ~39k between them is Node's and Fastify's reading of the body and RFC 7662 §2.1's " +
      'client authentication (its SHA-256, constant-time compare and Basic header, ~15k); system calls per request are the same and ' +
      'introspection allocates ~1 KB more. A one-parameter form is now split without a parser walk and a per-request `Object.isFrozen` is ' +
      'gone (−1.3 to −2.2 % of those instructions; over HTTP below the noise). ' +
      "On SQLite the read is answered by the session check's stamped read cache " +
      '(`tokens/access-token-read-cache.ts`, `store/stamped-read-cache.ts`: the row, never the verdict, kept while the database has not changed; ' +
      'server CPU per introspection 150 → 112 µs in an A/B). On PostgreSQL the read is a named prepared statement of the 25 columns it uses, ' +
      'and the introspections of one turn of the event loop share one such query (`= any($1)`, `tokens/access-token-read-batch.ts`, ' +
      'as the session check does; none joins a query already sent, so there is no staleness), the ' +
      "config cache's concurrent misses of one key share one read (every revocation signal, the 1 s poll included, drops the cache, and before, " +
      'every request in flight then read the client, the API and the cut-offs itself), and the JWT path asks "jti or key revoked?" in one read. The session check on ' +
      'PostgreSQL is a named prepared statement (`store/prepared-statements.ts`): before it, PostgreSQL parsed and planned the read on every ' +
      'request, about half of its CPU per check. On PostgreSQL introspection batches its read as the check does (0.045–0.052 queries per ' +
      'introspection against 0.046–0.060 per check under 50 connections) and costs no more over the check than on SQLite (28–45 against ' +
      "41–64 µs of server CPU per request); the rate quotient is lower there because the check's row is below /healthz's CPU, a scheduling " +
      'effect (`bench/tools/session-gap.mjs`, [architecture.md §9](architecture.md)). By main-thread instructions, which no scheduling moves ' +
      '(`bench/tools/callgrind-introspection.mjs`), introspection / session check is 0.81 on SQLite and 0.76 on PostgreSQL; the targets ' +
      'table gives the quotient per CPU-second beside the rate. Between full runs the rate quotient (SQLite, PostgreSQL) moved: 0.75 and ' +
      '0.59 (December 6), 0.92 and 0.94 at the start of December 7 with the same server code, 0.83 and 0.77 two promise reactions fewer later, ' +
      '0.88 and 0.67 in this run, 43 minutes after that one, with one shared promise per key and batch more. ' +
      "The resource server's own side of session mode is the SDK: it now introspects over `node:http` with a keep-alive agent, not " +
      "Node's `fetch` (unless the user gives a `fetch`), 2.7–3.2× less of the resource server's CPU per request (SQLite 419–451 → 133–165 µs, " +
      'PostgreSQL 408–502 → 136–173 µs in interleaved A/Bs of the two SDK builds at load 1.1–3.9, `bench/tools/verify-http-rounds.mjs` ' +
      '`session-sqlite,session-sqlite@b`; [architecture.md §9, §12](architecture.md)). ' +
      'Session mode exists for APIs that need zero staleness; hybrid mode is the answer for the rest.',
    '- **The session check** (`GET /v1/session`; `bench/tools/ab-session-check.mjs`, each build in a process of its own): beyond a ' +
      '/healthz it is one store read and the presentation of its row. On SQLite the read is answered from memory while the database has not ' +
      'changed since the row was read (`sessions/session-read-cache.ts`, [architecture.md §12](architecture.md)): every entry carries a stamp of ' +
      "this process's own statements that may write and the wal-index header of the `-shm` file (every connection's commits, one `pread` " +
      'without a lock: `PRAGMA data_version` took and dropped a read lock, ~6.5 µs of CPU per check; server CPU per check 53 → 46 µs), read ' +
      'synchronously on every check; any write empties the cache, so a hit returns exactly what the store would (zero staleness). What is cached is the row, never ' +
      'the verdict: expiry, idle timeout, status and the constant-time secret compare run on every check. A miss reads the connection directly ' +
      'when nobody holds it (no Kysely hand-off), and the body of a cached row is serialised once. Server CPU per check 130 → 65 µs (8 ' +
      'interleaved rounds at load average 12.7). Under a steady write load (sign-ins, token issuance) checks mostly miss and cost what they did. ' +
      "Promise hooks ran on every promise of every request once the first transaction had run (the SQLite group commit's AsyncLocalStorage, " +
      'entered on both dialects); the group commit now learns its transaction by a synchronous handover: server CPU per check 0.93 of before on ' +
      'SQLite and 0.82 on PostgreSQL. PostgreSQL caches nothing (no synchronous change signal); the checks of one event-loop turn share one ' +
      'prepared query (`sessions/session-read-batch.ts`, `= any($1)`), sent after all of them arrived, and none joins a query already sent: ' +
      "server CPU per check 205 → 92 µs, PostgreSQL's 84 → 13 µs, with 50 users' tokens in turn (6 interleaved rounds at load average 17). " +
      'This suite sends one token, so its batches read one row: 233 → 80 µs and 92 → 10 µs in the same A/B with one token. ' +
      'On SQLite, quiet full runs measured the one-token row 7–12 % below the 50-sessions row in every round (December 2026), though ' +
      'the read cache answers both from memory. It is not a cost per check: by server CPU per check one token cost less in 6 of 8 ' +
      'interleaved comparisons at load average 14–23, medians 34 against 36 µs (`bench/tools/ab-session-check.mjs` with 1:50 sessions on one ' +
      "build, both ways round: 32.0 against 31.4 and 29.9 against 35.5; `bench/tools/verify-http-rounds.mjs` on the suite's own fixture, both " +
      'orders and with every session due for its last-activity write: 34.1/36.1, 33.1/36.5, 32.7/35.3, 34.3/36.6, 40.7/43.6, 35.7/32.4), ' +
      "GC per request is the same (~3 µs), and with every session's last activity due the one-token window wrote once and the 50-sessions " +
      'window 49 times (each write empties the cache); autocannon spends ~50 % more CPU per request building 50 different requests. Under ' +
      'that load the one-token row was the faster by rate as well, so the gap was not reproduced; the rows now show requests per CPU-second ' +
      'of Tessera, which tells the next quiet run whether it is CPU or scheduling. ' +
      'Between the dialects, the rows by CPU (SQLite ~0.6 of /healthz, PostgreSQL ~0.9) are not a cost per check but the pattern of the traffic ' +
      "(`bench/tools/session-gap.mjs`, [architecture.md §9](architecture.md)): without sockets (Fastify's inject, 50 requests at a time, load ≈ 20) " +
      "the SQLite check cost 0.85 of /healthz and the PostgreSQL check 0.66. Over sockets, PostgreSQL's round trip makes the event loop sleep once " +
      'per batch and it is preempted less (0.13–0.33 involuntary context switches per request against 0.4–0.7 on SQLite and /healthz, load 12), ' +
      "and everything costs less per request in its windows, autocannon's own CPU included (35–54 against 55–82 µs for the same work). " +
      "Writes, the group commit, GC and the read cache's stamp (five per check instead of one moved nothing) were ruled out.",
    '- **Refresh rotation and token exchange** (`bench/tools/profile-refresh.mjs`): a rotation claims its token in one conditional UPDATE … ' +
      "RETURNING (8 statements instead of 9); the rest is the transaction's reads and writes, the COMMIT's fsync (group commit reaches 4–5 " +
      'rotations per COMMIT under 20 chains, 8–16 exchanges) and the ES256 signature. Signing after the COMMIT was tried and measured slower ' +
      '(exchange 0.42×): a transaction that waits for its signature lets the requests behind it join its COMMIT ([architecture.md §12](architecture.md)); ' +
      'inside a transaction ES256 now signs on the event loop (the groups fill during the WAL sync anyway, and the thread-pool hand-off cost ' +
      'the loop more than the signature: CPU per request 0.83–0.92 of before in interleaved A/Bs at load 10–15). SQLite syncs its WAL after each COMMIT on the thread ' +
      "pool (synchronous=NORMAL plus the driver's own fdatasync, which is what FULL adds in WAL mode; nobody is answered and nobody reads before it " +
      "returned): the COMMIT's time on the event loop fell from 2–5 ms to 0.2–0.6 ms. The rotation's three writes are compiled once per database " +
      '(named prepared statements on PostgreSQL). Inside the transaction the API and the role grants now come from the per-instance cache ' +
      "(a miss reads through the transaction's own connection, and what it read is kept only after the COMMIT and only if no invalidation " +
      "came meanwhile); a user's grants are cached under the token version read in the same transaction, so a permission taken away narrows " +
      'the next token on every instance at once. Statements per SQLite rotation 10 → 8, per exchange 8.2 → 7.3; A/B (4 interleaved rounds, ' +
      "load ~11): exchange 1.66× the rate at 0.69 of the CPU, refresh 1.41× at 0.86. What remains is waiting: under load a chain's refresh " +
      "waits for the connection (held through the previous group's WAL sync) far longer than it holds it (`profile-refresh.mjs` prints the " +
      'breakdown); releasing the connection during the sync was tried and measured worse (its reads then wait on the sync), and so was ' +
      "answering a synced group one event-loop turn later so that the next group runs first (it shortens the connection's critical path, " +
      'but token exchange lost 0.73–0.79× in 3 of 4 interleaved runs at load 15–27). The COMMIT itself (its WAL writes, now and then a ' +
      "checkpoint) holds the event loop for 15–22 % of the wall time under other processes' disk writes (6.6 % at load 3); a larger " +
      '`wal_autocheckpoint` did not lower it. On a quiet machine the picture differs: at load average ≈ 1, profile-refresh.mjs measured ' +
      '1,540 rotations/s with the event loop 95 % busy, the statements ~28 % of the wall time (the COMMIT 13 %, 0.59 ms each for 6.8 ' +
      'rotations), so there the rate is bound by the event loop, not by waiting; strace counted ~54 writes per WAL sync (two per WAL ' +
      'frame: ~27 pages, ~0.1 MB per COMMIT), many of them index pages a random token id landed on (the primary keys of both token ' +
      "tables and the refresh token's parent_id). Token ids now begin with their issue time (`shared/ordered-id.ts`: 48-bit " +
      'milliseconds, then 84 random bits), so those inserts append: with 30,000 rows in each token table, as after a few rounds of this ' +
      'suite, the WAL pages a rotation writes fell from 8.6–9.4 to 4.5–6.2 (`profile-refresh.mjs` PROFILE_FILL, 3 runs of each build at ' +
      "load 18–22), with empty tables from 4.4–4.7 to 3.7–4.1; the rotation's three statements alone (`ab-token-ids.mjs`, 10 interleaved " +
      'rounds) cost 57 instead of 86 µs of CPU and their COMMIT 0.30 instead of 0.64 ms, a few per cent of a rotation, which the ' +
      'server-level A/Bs at load 10–24 could not resolve. Measured together on a quiet machine (December 2026) with the compiled ' +
      'statements of a SQLite transaction run on its connection directly (`store/transaction.ts`), CORS hooks only on the routes with ' +
      'a policy and the metrics without a labels object per request, against the code before them: this suite alone, the two builds ' +
      'in turn twice (3 rounds each, load average ≈ 1.5), refresh rotation median 1,584 → 1,930/s (0.047 → 0.055 of /healthz), token ' +
      'exchange 3,073 → 3,872/s (0.092 → 0.109); full runs 1,562/s before, 2,038 and 1,789/s after. The rotation was then at 2.0k/s, ' +
      "twice the filed machine's rate, not reliably above it; the changes were not measured apart on a quiet machine. " +
      'Target 4 of issue 17 is a ratio, as the issue defines its targets ("each a ratio measured in one run"): the full run builds the code ' +
      'the issue was filed with (`02f258c`, with its own locked dependencies, once per checkout in bench/.cache/, `bench/lib/filed-build.mjs`) ' +
      'and loads it in turn with this build (section 2d); the 3.0k and 2.0k/s beside the ratio in the targets table are twice the rates of the ' +
      'machine the issue was filed on, for reference only, since this page may come from another (in December 2026 one whose loopback HTTP ' +
      'path was ~3× slower: /healthz ~9–11k req/s against ~30k). An A/A of one build through the same rounds (load average 9–12) gave ' +
      '1.02 (0.72–1.51) for exchange and 0.98 (0.79–1.34) for refresh: no start-order bias, but on a busy machine a median near 2.0 is within ' +
      'the noise, and the CPU per request ratio beside it moves less. Measured by hand that way before the suite did it (`02f258c` against ' +
      '`3160285`, `bench/tools/ab-refresh.mjs`, 6 rounds of 4 s, each server warmed up first, load average 1.3–1.7): token exchange 718 → 2,299 req/s, ' +
      '3.12× (2.66–3.69), CPU per request 0.36 of before; refresh rotation 521 → 1,036 req/s, 2.07× (1.97–2.47), CPU per request 0.45 of before. ' +
      'On PostgreSQL the access token now signs on the ' +
      'thread pool inside the transaction too (a transaction holds one pooled connection, not the only one): refresh 1.42–2.00× and exchange ' +
      '1.51–1.92× the rate at 0.77–0.93 of the CPU per request in 4 interleaved A/Bs at load 11–16 (no quiet machine was available).',
    '- **Revocation propagation**: the server encodes each entry once and writes the same bytes to every stream (`revocation/feed-frames.ts`), ' +
      'each as one ready-made HTTP chunk in one socket write (`revocation/feed-socket-sink.ts`; through the response, Node queued four writes ' +
      'and sent a writev on the next tick, about a third of the CPU per stream): server CPU per fan-out to 500 streams 13.2 → 9.6 ms, median of 4 ' +
      'interleaved pairs at load 12–18 (`bench/tools/profile-revocation-fanout.mjs`, `bench/tools/ab-feed-socket-write.mjs`: 0.78 per stream); ' +
      'to 1,000 streams 20.5 → 18.5 ms (5 pairs at load 0.2–3.5), with the fan-out wall time and the p99 unchanged (p99 90–165 ms in those ten runs). ' +
      "What is left is mostly the kernel's loopback TCP send, ~19 µs of server CPU a stream in all ([architecture.md §9](architecture.md)). The verifiers' " +
      'processes cost ~70–270 µs of CPU per verifier and event, take the cores once the first writes wake them, and bound the 1,000-subscriber ' +
      "figure; the fan-out's wall time is 2.5–12× its CPU on a busy machine. Per verifier and event (a CPU profile of 250 verifiers split by " +
      "layer, `bench/tools/profile-feed-split.mjs`): undici, its web stream and the socket stream under it ~35 µs, the bench's refusal checks " +
      "and tap ~36, the SDK's feed handling ~32 (decoding, SSE, JSON, the entry, the set), whose largest item was building each revocation " +
      "entry with an object spread (V8's slow path, ~3 µs an entry); each entry is now one object literal: the feed's read path 47.9 → 39.0 µs " +
      "per feed and event (`bench/tools/ab-sdk-feed-read.mjs`, 12 interleaved rounds, load 9), the suite's verifiers 85.2 → 73.9 µs (3 pairs, " +
      "load 8), a 20,000-entry snapshot parsed 3.2× faster. Each verifier's refusal (the time the suite stamps) cost 11.6 µs of CPU " +
      'and now 5.9 (`bench/tools/ab-sdk-refusal.mjs`, 7 interleaved rounds, load 1.1): a `TesseraAuthError` that refuses the request (4xx) ' +
      "no longer captures stack frames, and `verify()` rejects once the caller's handler is attached (Node's unhandled-rejection " +
      "bookkeeping, ~2 µs); the bench's tap no longer copies bytes per chunk. An SSE parser on bytes instead of decoded text did not pay " +
      '(1.00 per CPU-second) and was not kept.',
    '- **Start-up and memory** (a CPU profile of `tessera start`, a heap snapshot, `bench/tools/footprint-phases.mjs`, see ' +
      "[architecture.md §9](architecture.md)): compiling every route's JSON schemas was ~40 % of the start-up CPU time, now done on each " +
      "route's first request; the libraries of optional features (PostgreSQL, Redis, WebAuthn, SMTP, QR codes) load on first use; the `tessera` " +
      "command holds V8's young generation at its initial size while it starts (loading ~1,400 modules grew it to 2 × 16 MB for good), with " +
      "V8's --optimize-for-size meanwhile (compacting GCs: ~10 MB less committed heap at idle), and gives V8 its defaults back at listen. " +
      'Start-up CPU: module loading about half, GC 15 %, route registration 18 %. The schema compilers (Ajv, fast-json-stringify), prom-client ' +
      "(Tessera's metrics count in plain maps until the first scrape), openid-client and otpauth now load on first use: 1,412 → 1,222 modules " +
      "at the first 200, idle RSS 91 → 88 MB in an A/B. What remains at idle: the node binary's pages (~41 MB; a bare Node HTTP server is 34), " +
      "the live heap (mostly the loaded modules' code: Kysely, Fastify, TypeBox), the malloc heap and native addons; the CLI now loads only the command group it runs, and the common-password list is read at the first new password. The `tessera` command now runs a " +
      'bundle (`npm run build` writes it with rolldown, `scripts/bundle-cli.mjs`): eight files at start instead of ~1,210 modules, written in ' +
      "ASCII without comments or whitespace (V8 keeps every script's source, at two bytes a character if one character is outside Latin-1), " +
      "Fastify's first-use libraries (Ajv, fast-json-stringify) left out of it; idle RSS 87–88 → 76–80 MB and start-up CPU −55 % in A/Bs, " +
      'function names kept in stack traces, file and line with `--enable-source-maps`. After load, the password-strength dictionaries (loaded by ' +
      'the first new password from a shipped text file into one string and two typed arrays per list: ~6 MB live, ~19 MB of RSS, where ' +
      "zxcvbn-ts's own objects were ~24 MB live, ~50 MB of RSS; they now live in the estimate's worker thread, which keeps zxcvbn's ~0.15 s " +
      'per new password off the event loop, whose thread is most of the ~19 MB of anonymous memory beyond the main heap after load; it is now ' +
      'ended after 5 s without a new password, before the after-load reading, and started again by the next: RSS after load 128–129 → ' +
      '117–118 MB in two A/Bs at load 15–22, 137 → 127 on a quiet machine, ~0.2 s more CPU for the first new password after a quiet period) and the ' +
      "young generation grown by the load (2 × 8 or 2 × 16 MB semi-spaces: the spread between runs of the after-load row). argon2id's " +
      '19 MiB blocks are unmapped when each hash is done (none left 1 s after the load). V8 shrinks the young generation only at a ' +
      'collection after 5 s of little allocation, which an idle Node server never runs; the `tessera` command now asks for one scavenge ' +
      "after 6 quiet seconds: RSS 10 s after the load 131 → 117 MB in an A/B (bundled command), the 1 s row unchanged, the next load's CPU per session " +
      'check 37–40 → 41 µs in two A/Bs (within their ranges). Sign-in is bound by argon2id at the ' +
      'OWASP minimum (19 MiB, t=2), ≈ 10 ms per hash on an idle machine.',
  )
  return lines.join('\n')
}
