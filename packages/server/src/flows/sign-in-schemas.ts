import { Type } from '@sinclair/typebox'

/** Body of sign-up and sign-in. Unknown fields are refused, not stripped. */
export const CredentialsBody = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 320 }),
    // The byte cap is enforced by the password policy with its own error code; the body limit
    // bounds this string long before.
    password: Type.String({ minLength: 1 }),
    transport: Type.Optional(Type.Union([Type.Literal('cookie'), Type.Literal('bearer')])),
  },
  { additionalProperties: false },
)
