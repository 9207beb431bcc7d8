import { Type } from '@sinclair/typebox'

const closed = <T extends Parameters<typeof Type.Object>[0]>(properties: T) => Type.Object(properties, { additionalProperties: false })

/** A link token as issued (`<id>.<secret>`); the service checks its exact shape. */
const Token = Type.String({ minLength: 1, maxLength: 200 })
const Email = Type.String({ minLength: 1, maxLength: 320 })
/** The password policy enforces its own byte cap; this bounds the JSON string. */
const Password = Type.String({ minLength: 1, maxLength: 4096 })

export const ResetRequestBody = closed({ email: Email })
export const ResendVerificationBody = closed({ email: Email })
export const ResetConfirmBody = closed({ token: Token, password: Password })
export const VerifyConfirmBody = Type.Union([closed({ token: Token }), closed({ code: Type.String({ minLength: 1, maxLength: 16 }) })])
export const ChangePasswordBody = closed({ currentPassword: Type.Optional(Password), newPassword: Password })
export const ChangeEmailBody = closed({ email: Email })
export const ConfirmEmailBody = closed({ token: Token })
