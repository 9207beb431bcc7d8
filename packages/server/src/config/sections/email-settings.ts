import { Type } from '@sinclair/typebox'
import { seconds } from './seconds.js'

/** Email delivery, the account links it carries, and its branding. */
export const EmailSettings = Type.Object(
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
)
