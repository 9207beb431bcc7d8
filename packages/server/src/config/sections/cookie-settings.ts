import { Type } from '@sinclair/typebox'

/** The session cookie. */
export const CookieSettings = Type.Object(
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
)
