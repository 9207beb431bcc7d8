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

/** Body of the second step of a sign-in (issue 13 §5): the challenge and one factor's answer. */
export const SecondFactorBody = Type.Object(
  {
    challenge: Type.String({ minLength: 1, maxLength: 128 }),
    factor: Type.Union([Type.Literal('totp'), Type.Literal('recovery_code'), Type.Literal('webauthn')]),
    code: Type.Optional(Type.String({ maxLength: 32 })),
    /** For `webauthn`: the id from `/v1/sign-in/mfa/webauthn-options` and the browser's assertion. */
    webauthnChallengeId: Type.Optional(Type.String({ maxLength: 64 })),
    assertion: Type.Optional(Type.Object({ id: Type.String({ maxLength: 1024 }) }, { additionalProperties: true })),
    transport: Type.Optional(Type.Union([Type.Literal('cookie'), Type.Literal('bearer')])),
  },
  { additionalProperties: false },
)

/**
 * `POST /v1/flows`: start a flow. Only login flows are started over the API today. `clientId`
 * names the first-party application driving it (needed for the `upstream` step; its MFA policy
 * and the connections it shows apply).
 */
export const StartFlowBody = Type.Object(
  {
    /** `login` (sign-in, sign-up) or `recovery` (a forgotten password, issue 12). */
    type: Type.Union([Type.Literal('login'), Type.Literal('recovery')]),
    clientId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  },
  { additionalProperties: false },
)

export const FlowParams = Type.Object({ id: Type.String({ maxLength: 64 }) }, { additionalProperties: false })

/** `POST /v1/flows/{id}`: one step and its input (each step reads its own fields; a missing one is that step's error). */
export const SubmitStepBody = Type.Object(
  {
    step: Type.Union([
      Type.Literal('password'),
      Type.Literal('registration'),
      Type.Literal('second_factor'),
      Type.Literal('second_factor_enrolment'),
      Type.Literal('upstream'),
      Type.Literal('passkey'),
      Type.Literal('verify_email'),
      Type.Literal('recovery_email'),
      Type.Literal('recovery_code'),
      Type.Literal('new_password'),
    ]),
    /** `verify_email`, `recovery_code`: `resend` sends the message again; without it, the step takes `code` (or, for `verify_email`, checks whether the link was used). */
    action: Type.Optional(Type.Union([Type.Literal('resend'), Type.Literal('skip')])),
    /** `registration`, with `signUp.requireVerifiedEmail` off: verify the address in this flow before the session starts (`verify_email` next). */
    verifyEmail: Type.Optional(Type.Boolean()),
    email: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })),
    password: Type.Optional(Type.String({ minLength: 1 })),
    /** `second_factor`: as for `/v1/sign-in/mfa`; `second_factor_enrolment`: the code of the app being enrolled; `verify_email`: the message's 6-digit code. */
    factor: Type.Optional(Type.Union([Type.Literal('totp'), Type.Literal('recovery_code'), Type.Literal('webauthn')])),
    code: Type.Optional(Type.String({ maxLength: 32 })),
    /** `second_factor` with `webauthn`, and `passkey`: the challenge id its options came with, and the browser's (or platform's) assertion. */
    webauthnChallengeId: Type.Optional(Type.String({ maxLength: 64 })),
    assertion: Type.Optional(Type.Object({ id: Type.String({ maxLength: 1024 }) }, { additionalProperties: true })),
    /** `upstream`, to start: the connection, the app's redirect URI to come back to, and the app's own `state`. */
    connectionId: Type.Optional(Type.String({ maxLength: 64 })),
    returnTo: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
    state: Type.Optional(Type.String({ pattern: '^[\\x21-\\x7e]{1,512}$' })),
    /** `upstream`, to finish: the return code the callback gave the app's redirect URI. */
    returnCode: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    transport: Type.Optional(Type.Union([Type.Literal('cookie'), Type.Literal('bearer')])),
  },
  { additionalProperties: false },
)

/** `POST /v1/sign-in/mfa/enrol/confirm`: the pending sign-in and one code of the app being enrolled. */
export const EnrolmentConfirmBody = Type.Object(
  {
    challenge: Type.String({ minLength: 1, maxLength: 128 }),
    code: Type.String({ maxLength: 16 }),
    transport: Type.Optional(Type.Union([Type.Literal('cookie'), Type.Literal('bearer')])),
  },
  { additionalProperties: false },
)

export const ChallengeBody = Type.Object({ challenge: Type.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: false })

/** The header that carries an API flow's binding secret (the browser's cookie plays that part on the hosted pages). */
export const FLOW_TOKEN_HEADER = 'tessera-flow-token'

/** `POST /v1/sign-in/passkey`: the options' challenge id and the browser's assertion (docs/mfa.md "Passkeys"). */
export const PasskeyBody = Type.Object(
  {
    webauthnChallengeId: Type.String({ minLength: 1, maxLength: 64 }),
    assertion: Type.Object({ id: Type.String({ maxLength: 1024 }) }, { additionalProperties: true }),
    transport: Type.Optional(Type.Union([Type.Literal('cookie'), Type.Literal('bearer')])),
  },
  { additionalProperties: false },
)
