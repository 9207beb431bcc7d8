import { Type } from '@sinclair/typebox'

/** Self-service sign-up. */
export const SignUpSettings = Type.Object(
  {
    requireVerifiedEmail: Type.Boolean({
      default: false,
      env: 'TESSERA_SIGN_UP_REQUIRE_VERIFIED_EMAIL',
      description:
        'Refuse sign-in and every token (authorization, refresh, token exchange) to an account whose email address is not verified, with `email_not_verified`. Sign-up then starts no session and answers the same for a new address and one that has an account (OWASP Authentication Cheat Sheet); the owner of an existing account is told by email instead. Needs email (SMTP in production).',
    }),
  },
  { default: {}, additionalProperties: false },
)
