import { type Static, type TSchema, Type } from '@sinclair/typebox'
import { LOCALES } from '../i18n/catalogues.js'

/**
 * Every setting of Tessera, with its default, its environment variable and why it is what it is.
 * docs/configuration.md is generated from this file (`npm run docs:config`) and a test keeps the two equal.
 */

const seconds = (def: number, min: number, env: string, description: string) =>
  Type.Integer({ default: def, minimum: min, env, description: `${description} In seconds.` })

export const ConfigSchema = Type.Object(
  {
    env: Type.Union([Type.Literal('development'), Type.Literal('production')], {
      default: 'development',
      env: 'TESSERA_ENV',
      description: 'Production refuses insecure settings: a plain-http issuer and cookies without `Secure`.',
    }),
    port: Type.Integer({
      default: 4000,
      minimum: 0,
      maximum: 65535,
      env: 'TESSERA_PORT',
      description: 'TCP port to listen on (0 picks a free one).',
    }),
    host: Type.String({
      default: 'localhost',
      minLength: 1,
      env: 'TESSERA_HOST',
      description: 'Interface to bind. `localhost` keeps Tessera off the network; use `0.0.0.0` behind a proxy or in a container.',
    }),
    issuer: Type.String({
      default: '',
      env: 'TESSERA_ISSUER',
      description:
        'Public base URL of this server, exactly as clients see it. Empty means `http://localhost:<port>`. Must be https in production.',
    }),
    dataDir: Type.String({
      default: './data',
      minLength: 1,
      env: 'TESSERA_DATA_DIR',
      description: 'Directory for the embedded database and generated files.',
    }),
    databaseUrl: Type.String({
      default: '',
      env: 'TESSERA_DATABASE_URL',
      description:
        '`sqlite:PATH` or `postgres://user@host:port/db` (add `?schema=NAME` to use a schema other than `public`). Empty means SQLite at `<dataDir>/tessera.db`.',
    }),
    logLevel: Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
      { default: 'info', env: 'TESSERA_LOG_LEVEL', description: 'Log level. Secrets are redacted at every level.' },
    ),
    trustProxy: Type.Boolean({
      default: false,
      env: 'TESSERA_TRUST_PROXY',
      description: 'Trust `X-Forwarded-For` for the client IP. Enable only behind a proxy you control, or IP limits can be bypassed.',
    }),
    http: Type.Object(
      {
        shutdownDelay: seconds(
          0,
          0,
          'TESSERA_HTTP_SHUTDOWN_DELAY',
          "On SIGTERM, /readyz answers 503 for this long while requests are still served, so a load balancer takes the instance out before it stops (set it above the balancer's checks: interval × failures). 0 stops at once.",
        ),
        bodyLimit: Type.Integer({
          default: 65536,
          minimum: 1024,
          maximum: 1048576,
          env: 'TESSERA_HTTP_BODY_LIMIT',
          description: 'Largest accepted request body, in bytes; larger bodies get 413 before they are parsed.',
        }),
        allowedOrigins: Type.Array(Type.String({ minLength: 1 }), {
          default: [],
          env: 'TESSERA_ALLOWED_ORIGINS',
          description:
            'Origins, besides the issuer, allowed to make cookie-authenticated state changes (comma-separated in the environment). Every other origin is refused as cross-site.',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    session: Type.Object(
      {
        idleTimeout: seconds(3 * 24 * 3600, 60, 'TESSERA_SESSION_IDLE_TIMEOUT', 'A session unused for this long expires.'),
        absoluteLifetime: seconds(
          30 * 24 * 3600,
          60,
          'TESSERA_SESSION_ABSOLUTE_LIFETIME',
          'A session expires this long after sign-in, however active (OWASP Session Management Cheat Sheet).',
        ),
        activityInterval: seconds(
          60,
          60,
          'TESSERA_SESSION_ACTIVITY_INTERVAL',
          'Last activity is written at most this often per session, so reads stay free of writes. The idle timeout is exact to within this interval.',
        ),
      },
      { default: {}, additionalProperties: false },
    ),
    cookie: Type.Object(
      {
        name: Type.String({
          default: 'tessera_session',
          pattern: '^[A-Za-z0-9_-]{1,64}$',
          env: 'TESSERA_COOKIE_NAME',
          description: 'Session cookie name; `__Host-` is prepended whenever the cookie is `Secure`.',
        }),
        secure: Type.Union([Type.Literal('auto'), Type.Literal('always')], {
          default: 'auto',
          env: 'TESSERA_COOKIE_SECURE',
          description:
            '`auto` drops `Secure` and `__Host-` only when the issuer is plain-http localhost (development), and says so at start-up; `always` never drops them.',
        }),
        sameSite: Type.Union([Type.Literal('lax'), Type.Literal('strict')], {
          default: 'lax',
          env: 'TESSERA_COOKIE_SAME_SITE',
          description: '`SameSite` attribute of the session cookie. `none` is not offered.',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    password: Type.Object(
      {
        minLength: Type.Integer({
          default: 8,
          minimum: 8,
          maximum: 64,
          env: 'TESSERA_PASSWORD_MIN_LENGTH',
          description: 'Fewest characters (Unicode code points) in a new password; NIST SP 800-63B §3.1.1.2 asks for at least 8.',
        }),
        maxLength: Type.Integer({
          default: 128,
          minimum: 64,
          maximum: 1024,
          env: 'TESSERA_PASSWORD_MAX_LENGTH',
          description: 'Most characters in a password; NIST SP 800-63B asks to allow at least 64.',
        }),
        maxBytes: Type.Integer({
          default: 1024,
          minimum: 256,
          maximum: 4096,
          env: 'TESSERA_PASSWORD_MAX_BYTES',
          description: 'Most UTF-8 bytes in a password, checked before any hashing so a huge password costs nothing.',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    argon2: Type.Object(
      {
        memoryCost: Type.Integer({
          default: 19456,
          minimum: 19456,
          maximum: 4194304,
          env: 'TESSERA_ARGON2_MEMORY_COST',
          description:
            'argon2id memory in KiB; OWASP Password Storage Cheat Sheet minimum is 19456. Raise it and hashes are upgraded at the next sign-in.',
        }),
        timeCost: Type.Integer({
          default: 2,
          minimum: 2,
          maximum: 100,
          env: 'TESSERA_ARGON2_TIME_COST',
          description: 'argon2id iterations; OWASP minimum 2.',
        }),
        parallelism: Type.Integer({
          default: 1,
          minimum: 1,
          maximum: 16,
          env: 'TESSERA_ARGON2_PARALLELISM',
          description: 'argon2id lanes.',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    defaultLocale: Type.Union(
      LOCALES.map((locale) => Type.Literal(locale)),
      {
        default: 'en',
        env: 'TESSERA_DEFAULT_LOCALE',
        description:
          'Language of hosted pages and messages when neither the authorization request (`ui_locales`) nor the browser (`Accept-Language`) asks for one Tessera speaks (docs/localization.md).',
      },
    ),
    signUp: Type.Object(
      {
        requireVerifiedEmail: Type.Boolean({
          default: false,
          env: 'TESSERA_SIGN_UP_REQUIRE_VERIFIED_EMAIL',
          description:
            'Refuse sign-in and every token (authorization, refresh, token exchange) to an account whose email address is not verified, with `email_not_verified`. Sign-up then starts no session and answers the same for a new address and one that has an account (OWASP Authentication Cheat Sheet); the owner of an existing account is told by email instead. Needs email (SMTP in production).',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    signIn: Type.Object(
      {
        freeFailures: Type.Integer({
          default: 10,
          minimum: 1,
          maximum: 100,
          env: 'TESSERA_SIGN_IN_FREE_FAILURES',
          description:
            'Consecutive failed sign-ins allowed per account before back-off starts (NIST SP 800-63B §5.2.2 caps this at 100). A success resets the count.',
        }),
        backoffBase: seconds(
          1,
          1,
          'TESSERA_SIGN_IN_BACKOFF_BASE',
          'First back-off after the free failures; it doubles with each further failure.',
        ),
        backoffMax: seconds(900, 1, 'TESSERA_SIGN_IN_BACKOFF_MAX', 'Longest back-off.'),
      },
      { default: {}, additionalProperties: false },
    ),
    mfa: Type.Object(
      {
        policy: Type.Union([Type.Literal('off'), Type.Literal('optional'), Type.Literal('required')], {
          default: 'optional',
          env: 'TESSERA_MFA_POLICY',
          description:
            'Second factors (docs/mfa.md): `optional` lets users add an authenticator app or a passkey; `required` makes every user without one add an authenticator app while signing in, and refuses removing the last factor; `off` refuses adding factors (factors users already have are still asked for). An application can require them on its own (`requireMfa`).',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    rateLimit: Type.Object(
      {
        credentialRequestsPerIp: Type.Integer({
          default: 30,
          minimum: 1,
          env: 'TESSERA_RATE_LIMIT_CREDENTIALS_PER_IP',
          description:
            'Sign-in and sign-up requests allowed per client IP in each window, on top of the per-account throttle. The authorization endpoint allows ten times as many. Counted across all instances: in Redis when `redisUrl` is set (in the database while Redis does not answer), in the database otherwise.',
        }),
        window: seconds(60, 1, 'TESSERA_RATE_LIMIT_WINDOW', 'Length of the per-IP rate-limit window.'),
      },
      { default: {}, additionalProperties: false },
    ),
    redisUrl: Type.String({
      default: '',
      env: 'TESSERA_REDIS_URL',
      description:
        '`redis://host:port` to pass revocations between instances by pub/sub (PostgreSQL LISTEN/NOTIFY does it without Redis) and to count per-IP rate limits (the database does it without Redis). Empty means no Redis.',
    }),
    redisOptional: Type.Boolean({
      default: false,
      env: 'TESSERA_REDIS_OPTIONAL',
      description:
        'Start even when the configured Redis does not answer, and say so in the log: revocations then reach other instances through PostgreSQL LISTEN/NOTIFY or the feed poll until Redis answers (it is retried with back-off). Off by default, so a wrong `redisUrl` fails the start instead of going unnoticed.',
    }),
    feed: Type.Object(
      {
        heartbeatInterval: seconds(
          5,
          1,
          'TESSERA_FEED_HEARTBEAT_INTERVAL',
          'How often the revocation stream sends a heartbeat, so subscribers can measure their staleness.',
        ),
        pollInterval: Type.Integer({
          default: 1000,
          minimum: 50,
          maximum: 60000,
          env: 'TESSERA_FEED_POLL_INTERVAL',
          description:
            'Milliseconds between checks of the revocation log, the floor under LISTEN/NOTIFY and Redis (and how another process writing the same SQLite file is noticed).',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    masterKey: Type.String({
      default: '',
      env: 'TESSERA_MASTER_KEY',
      description:
        '32 random bytes, base64url. Encrypts private signing keys at rest. Required in production; in development it is generated on first start into `<dataDir>/master.key` (mode 0600). Never logged.',
    }),
    keys: Type.Object(
      {
        algorithm: Type.Union([Type.Literal('ES256'), Type.Literal('EdDSA'), Type.Literal('RS256'), Type.Literal('PS256')], {
          default: 'ES256',
          env: 'TESSERA_KEYS_ALGORITHM',
          description: 'Algorithm of new signing keys (RFC 8725 §3.1: a fixed allow-list). Existing keys keep theirs until rotated out.',
        }),
        rsaModulusLength: Type.Integer({
          default: 3072,
          minimum: 2048,
          maximum: 8192,
          env: 'TESSERA_KEYS_RSA_MODULUS_LENGTH',
          description: 'RSA key size in bits for RS256 and PS256; never under 2048.',
        }),
        rotationInterval: seconds(
          30 * 24 * 3600,
          3600,
          'TESSERA_KEYS_ROTATION_INTERVAL',
          'How long a key signs before the next one takes over.',
        ),
        prePublish: seconds(
          24 * 3600,
          60,
          'TESSERA_KEYS_PRE_PUBLISH',
          'How long a new key is in the JWKS before it signs; at least keys.jwksMaxAge, so every cached JWKS holds it in time.',
        ),
        jwksMaxAge: seconds(600, 0, 'TESSERA_KEYS_JWKS_MAX_AGE', '`Cache-Control: max-age` of the JWKS.'),
      },
      { default: {}, additionalProperties: false },
    ),
    tokens: Type.Object(
      {
        maxAccessTokenTtl: seconds(
          3600,
          60,
          'TESSERA_TOKENS_MAX_ACCESS_TOKEN_TTL',
          'Longest lifetime of any access token; revocation-log entries are kept this long after they are written, since no token they affect can outlive it.',
        ),
        refreshTokenIdleTtl: seconds(
          14 * 24 * 3600,
          60,
          'TESSERA_TOKENS_REFRESH_TOKEN_IDLE_TTL',
          'A refresh token unused this long dies (applications may set their own).',
        ),
        refreshTokenAbsoluteTtl: seconds(
          90 * 24 * 3600,
          60,
          'TESSERA_TOKENS_REFRESH_TOKEN_ABSOLUTE_TTL',
          'A refresh-token family dies this long after it was first issued, and never outlives its session.',
        ),
        refreshGracePeriod: Type.Integer({
          default: 5,
          minimum: 0,
          maximum: 60,
          env: 'TESSERA_TOKENS_REFRESH_GRACE_PERIOD',
          description:
            'Seconds during which a just-rotated refresh token may be presented again and gets the same single successor, so two tabs refreshing at once do not sign the user out. Outside it, reuse revokes the whole family (RFC 9700 §4.14.2).',
        }),
        dpopNonce: Type.Boolean({
          default: false,
          env: 'TESSERA_TOKENS_DPOP_NONCE',
          description:
            'Require a server-provided nonce in every DPoP proof (RFC 9449 §8): a proof without the current one gets use_dpop_nonce and the nonce in DPoP-Nonce. Limits how long a proof made in advance stays usable, at the cost of one extra round trip per client.',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    deviceFlow: Type.Object(
      {
        codeLifetime: seconds(
          600,
          60,
          'TESSERA_DEVICE_FLOW_CODE_LIFETIME',
          'How long a device code and its user code stay usable (RFC 8628 §3.2 `expires_in`): the time a person has to open the verification page and approve.',
        ),
        interval: seconds(
          5,
          1,
          'TESSERA_DEVICE_FLOW_INTERVAL',
          'The least time a device waits between two polls of the token endpoint (RFC 8628 §3.2 `interval`); a device polling faster gets `slow_down` and five more seconds.',
        ),
        entriesPerSession: Type.Integer({
          default: 10,
          minimum: 1,
          env: 'TESSERA_DEVICE_FLOW_ENTRIES_PER_SESSION',
          description:
            'User codes one signed-in session may enter on the verification page in each `deviceFlow.entryWindow`, right or wrong (RFC 8628 §5.1: with 20^8 codes, guessing a live one takes millions of tries).',
        }),
        entriesPerIp: Type.Integer({
          default: 50,
          minimum: 1,
          env: 'TESSERA_DEVICE_FLOW_ENTRIES_PER_IP',
          description:
            'User codes entered from one client IP in each `deviceFlow.entryWindow`, across every session. Counted across all instances.',
        }),
        entryWindow: seconds(
          900,
          60,
          'TESSERA_DEVICE_FLOW_ENTRY_WINDOW',
          'Length of the windows of `entriesPerSession` and `entriesPerIp`.',
        ),
      },
      { default: {}, additionalProperties: false },
    ),
    email: Type.Object(
      {
        smtpUrl: Type.String({
          default: '',
          env: 'TESSERA_SMTP_URL',
          description:
            '`smtp://user:pass@host:587` (STARTTLS required for a host off this machine; `?starttls=auto` or `?starttls=never` relaxes it) or `smtps://user:pass@host:465` (TLS from the start). Empty means the development outbox: one `.eml` file per message under `<dataDir>/outbox/` and a log line with its link. Production refuses the flows that send email without it. Never logged.',
        }),
        from: Type.String({
          default: '',
          env: 'TESSERA_EMAIL_FROM',
          description: 'The sender address of every message. Empty means `no-reply@<issuer host>`.',
        }),
        timeout: seconds(
          30,
          1,
          'TESSERA_EMAIL_TIMEOUT',
          'Longest wait for the SMTP server at each step (connecting, greeting, each command); a slower server counts as failed and the message is retried.',
        ),
        verificationLinkTtl: seconds(
          24 * 3600,
          600,
          'TESSERA_EMAIL_VERIFICATION_LINK_TTL',
          'How long an email-verification link works (single use). Its 6-digit code always lasts 10 minutes and dies after 5 wrong tries.',
        ),
        resetLinkTtl: seconds(
          30 * 60,
          300,
          'TESSERA_EMAIL_RESET_LINK_TTL',
          'How long a password-reset link works (single use; it also dies when the password changes by any path). OWASP Forgot Password Cheat Sheet: keep it short.',
        ),
        requestsPerAddress: Type.Integer({
          default: 5,
          minimum: 1,
          maximum: 1000,
          env: 'TESSERA_EMAIL_REQUESTS_PER_ADDRESS',
          description:
            'Most verification, reset or change-of-address messages one address (or account) may ask for per `email.requestWindow`, so the flows cannot flood an inbox (NIST SP 800-63B §5.2.2).',
        }),
        requestsPerIp: Type.Integer({
          default: 30,
          minimum: 1,
          maximum: 100000,
          env: 'TESSERA_EMAIL_REQUESTS_PER_IP',
          description: 'Most reset or resend requests one client IP may make per `email.requestWindow`, whatever the addresses.',
        }),
        requestWindow: seconds(3600, 60, 'TESSERA_EMAIL_REQUEST_WINDOW', 'The window the two request limits above are counted in.'),
        productName: Type.String({
          default: 'Tessera',
          minLength: 1,
          maxLength: 100,
          env: 'TESSERA_EMAIL_PRODUCT_NAME',
          description: 'The name messages and their sender carry (branding).',
        }),
        brandColor: Type.String({
          default: '#3b5bdb',
          pattern: '^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$',
          env: 'TESSERA_EMAIL_BRAND_COLOR',
          description: 'Colour of the buttons and the product name in HTML messages (`#rgb` or `#rrggbb`).',
        }),
        logoUrl: Type.String({
          default: '',
          env: 'TESSERA_EMAIL_LOGO_URL',
          description: 'An https URL of a logo shown at the top of HTML messages; empty shows the product name instead.',
        }),
        supportAddress: Type.String({
          default: '',
          env: 'TESSERA_EMAIL_SUPPORT_ADDRESS',
          description: 'An address users can write to, named in security notices; empty says "reply to this message".',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    metrics: Type.Object(
      {
        port: Type.Integer({
          default: 0,
          minimum: 0,
          maximum: 65535,
          env: 'TESSERA_METRICS_PORT',
          description:
            'A second port that serves `GET /metrics` without authentication, for a Prometheus scraper on a private network. 0 (the default) means no such port; `/metrics` on the main port always needs an admin token with `admin:read`.',
        }),
        host: Type.String({
          default: '127.0.0.1',
          minLength: 1,
          env: 'TESSERA_METRICS_HOST',
          description:
            'Interface the metrics port binds. Loopback by default; name a private interface (never a public one) for a scraper on another machine.',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    connections: Type.Object(
      {
        timeout: seconds(
          10,
          1,
          'TESSERA_CONNECTIONS_TIMEOUT',
          'Longest any one request to an upstream identity provider may take (discovery, token, keys, user endpoint); a slower provider gets a clear error page, never a hang.',
        ),
      },
      { default: {}, additionalProperties: false },
    ),
    tracing: Type.Object(
      {
        endpoint: Type.String({
          default: '',
          env: 'TESSERA_TRACING_ENDPOINT',
          description:
            'An OTLP/HTTP traces endpoint (`http://collector:4318/v1/traces`): each request becomes an OpenTelemetry span with its route and status. Empty (the default) turns tracing off and loads none of OpenTelemetry. Headers for the collector come from `OTEL_EXPORTER_OTLP_HEADERS`.',
        }),
        serviceName: Type.String({
          default: 'tessera',
          minLength: 1,
          env: 'TESSERA_TRACING_SERVICE_NAME',
          description: 'The `service.name` of the spans.',
        }),
        samplePercent: Type.Integer({
          default: 100,
          minimum: 0,
          maximum: 100,
          env: 'TESSERA_TRACING_SAMPLE_PERCENT',
          description:
            'Share of new traces recorded, in percent. A request that carries a sampled W3C `traceparent` is always recorded, so a trace started upstream stays whole.',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    housekeeping: Type.Object(
      {
        interval: seconds(
          60,
          0,
          'TESSERA_HOUSEKEEPING_INTERVAL',
          'How often each instance purges expired rows (sessions, tokens, codes, flows, counters, old deliveries and audit entries) in the background. 0 turns housekeeping off on this instance.',
        ),
        batchSize: Type.Integer({
          default: 500,
          minimum: 1,
          maximum: 10_000,
          env: 'TESSERA_HOUSEKEEPING_BATCH_SIZE',
          description: 'Rows deleted per statement. Small batches keep every lock short; a run repeats them until nothing is left.',
        }),
        timeBudget: seconds(
          10,
          1,
          'TESSERA_HOUSEKEEPING_TIME_BUDGET',
          'A run starts no new batch after this long; the next run goes on where it stopped.',
        ),
        deliveryRetention: seconds(
          30 * 24 * 3600,
          3600,
          'TESSERA_HOUSEKEEPING_DELIVERY_RETENTION',
          'How long finished webhook, email and back-channel logout deliveries stay visible to operators. Pending deliveries are never purged.',
        ),
        auditRetention: seconds(
          365 * 24 * 3600,
          0,
          'TESSERA_HOUSEKEEPING_AUDIT_RETENTION',
          'How long audit entries are kept. A year by default, the minimum that PCI DSS 4.0 requirement 10.5.1 asks of audit logs; 0 keeps them for ever.',
        ),
        outboxRetention: seconds(
          7 * 24 * 3600,
          3600,
          'TESSERA_HOUSEKEEPING_OUTBOX_RETENTION',
          'How long an event stays in the outbox after every consumer (audit, webhooks, email, back-channel logout) has passed it; the audit log keeps its own copy.',
        ),
      },
      { default: {}, additionalProperties: false },
    ),
    webhooks: Type.Object(
      {
        timeout: seconds(
          10,
          1,
          'TESSERA_WEBHOOKS_TIMEOUT',
          'Longest a delivery attempt may take, from resolving the host to the response status; a slower receiver counts as failed and is retried.',
        ),
        connectTimeout: seconds(
          5,
          1,
          'TESSERA_WEBHOOKS_CONNECT_TIMEOUT',
          'Longest wait for a receiver to accept the connection (TCP and TLS), within webhooks.timeout.',
        ),
        secretRotationOverlap: seconds(
          24 * 3600,
          0,
          'TESSERA_WEBHOOKS_SECRET_ROTATION_OVERLAP',
          'After a secret rotation, deliveries are signed with both the new and the old secret for this long, so receivers can switch without rejecting an event.',
        ),
      },
      { default: {}, additionalProperties: false },
    ),
  },
  { additionalProperties: false },
)

export type Config = Static<typeof ConfigSchema>

/** The schema of one setting, with Tessera's `env` annotation. */
export type SettingSchema = TSchema & { env?: string; description?: string; default?: unknown }
