import { Type } from '@sinclair/typebox'
import { Cursor, closed, Email, Limit, Password, SessionId, Timestamp, UserId } from './admin-schemas.js'

export const UserView = Type.Object({
  id: Type.String(),
  email: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
  emailVerified: Type.Boolean({ description: 'True once the user used a link or code sent to `email` (or an operator vouched for it).' }),
  createdAt: Timestamp,
})

export const UserBody = Type.Object({ user: UserView })
export const UserParams = closed({ userId: UserId })
export const UserSessionParams = closed({ userId: UserId, sessionId: SessionId })

export const UserListQuery = closed({
  search: Type.Optional(Type.String({ minLength: 1, maxLength: 320, description: 'Only emails containing this text (case-insensitive).' })),
  sort: Type.Optional(
    Type.Union([Type.Literal('id'), Type.Literal('email'), Type.Literal('-email')], {
      description: 'id (default), email (A to Z) or -email (Z to A); a cursor belongs to the order it came from.',
    }),
  ),
  limit: Type.Optional(Limit),
  cursor: Type.Optional(Cursor),
})
export const UserList = Type.Object({ users: Type.Array(UserView), nextCursor: Type.Union([Type.String(), Type.Null()]) })

export const NewUserBody = closed({
  email: Email,
  password: Password,
  sendVerification: Type.Optional(
    Type.Boolean({
      description: 'Send the verification message to the new address (default false: an operator-created account is not written to).',
    }),
  ),
})
export const UserChangesBody = Type.Object({ email: Type.Optional(Email) }, { additionalProperties: false, minProperties: 1 })
export const PasswordBody = closed({ password: Password })

export const SessionView = Type.Object({
  id: Type.String(),
  createdAt: Timestamp,
  lastActiveAt: Timestamp,
  expiresAt: Timestamp,
  authTime: Timestamp,
  amr: Type.Array(Type.String()),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
})
export const SessionList = Type.Object({ sessions: Type.Array(SessionView) })
export const Revoked = Type.Object({ revoked: Type.Array(Type.String(), { description: 'Ids of the sessions revoked.' }) })
