import { Type } from '@sinclair/typebox'

/** Second factors. */
export const MfaSettings = Type.Object(
  {
    policy: Type.Union([Type.Literal('off'), Type.Literal('optional'), Type.Literal('required')], {
      default: 'optional',
      env: 'TESSERA_MFA_POLICY',
      description:
        'Second factors (docs/mfa.md): `optional` lets users add an authenticator app or a passkey; `required` makes every user without one add an authenticator app while signing in, and refuses removing the last factor; `off` refuses adding factors (factors users already have are still asked for). An application can require them on its own (`requireMfa`).',
    }),
  },
  { default: {}, additionalProperties: false },
)
