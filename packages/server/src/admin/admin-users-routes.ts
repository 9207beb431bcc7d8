import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { SessionService } from '../sessions/session-service.js'
import { presentUser } from '../users/user.js'
import type { UserService } from '../users/user-service.js'
import { ADMIN_READ, ADMIN_WRITE } from './admin-api.js'
import { adminCaller } from './admin-auth-hook.js'
import { decodeCursor, encodeCursor } from './admin-cursor.js'
import { DEFAULT_PAGE, NoContent, responses } from './admin-schemas.js'
import {
  NewUserBody,
  PasswordBody,
  Revoked,
  UserBody,
  UserChangesBody,
  UserList,
  UserListQuery,
  UserParams,
} from './admin-users-schemas.js'

export interface AdminUsersDeps {
  users: UserService
  sessions: SessionService
}

const read = { permission: ADMIN_READ } as const
const write = { permission: ADMIN_WRITE } as const
const tags = ['users']
const USER_KEY = /^usr_[A-Za-z0-9_-]{1,64}$/
const EMAIL_KEY = /^[^\s]{3,320}$/

/** Users: create, list, read, change, disable and enable, delete, reset the password, sign out everywhere. */
export function adminUsersRoutes(deps: AdminUsersDeps): FastifyPluginAsyncTypebox {
  const { users } = deps
  return async (app) => {
    app.get(
      '/users',
      {
        config: read,
        schema: {
          tags,
          summary: 'List users, ordered by id or by email',
          querystring: UserListQuery,
          response: responses({ 200: UserList }),
        },
      },
      async (request) => {
        const { search, limit, cursor, sort = 'id' } = request.query
        // A cursor names its order, so one from another order is refused rather than misread.
        const kind = sort === 'id' ? 'users' : `users${sort}`
        const after = cursor === undefined ? undefined : decodeCursor(kind, cursor, sort === 'id' ? USER_KEY : EMAIL_KEY)
        const page = await users.list({
          limit: limit === undefined ? DEFAULT_PAGE : Number(limit),
          sort,
          ...(search ? { search } : {}),
          ...(after ? { after } : {}),
        })
        return { users: page.users.map(presentUser), nextCursor: page.next === null ? null : encodeCursor(kind, page.next) }
      },
    )

    app.post(
      '/users',
      { config: write, schema: { tags, summary: 'Create a user', body: NewUserBody, response: responses({ 201: UserBody }, [409]) } },
      async (request, reply) => {
        const { sendVerification, ...input } = request.body
        const user = await users.create(input, adminCaller(request).actor, { sendVerification: sendVerification === true })
        return reply.code(201).send({ user: presentUser(user) })
      },
    )

    app.get(
      '/users/:userId',
      { config: read, schema: { tags, summary: 'Get a user', params: UserParams, response: responses({ 200: UserBody }, [404]) } },
      async (request) => ({ user: presentUser(await users.get(request.params.userId)) }),
    )

    app.patch(
      '/users/:userId',
      {
        config: write,
        schema: {
          tags,
          summary: "Change a user's email address",
          params: UserParams,
          body: UserChangesBody,
          response: responses({ 200: UserBody }, [404, 409]),
        },
      },
      async (request) => {
        const caller = adminCaller(request)
        return { user: presentUser(await users.update(request.params.userId, request.body, caller.actor)) }
      },
    )

    app.delete(
      '/users/:userId',
      {
        config: write,
        schema: {
          tags,
          summary: 'Delete a user; every session and token of theirs dies',
          params: UserParams,
          response: responses({ 204: NoContent }, [404]),
        },
      },
      async (request, reply) => {
        const caller = adminCaller(request)
        await users.delete(request.params.userId, caller.actor)
        return reply.code(204).send()
      },
    )

    for (const action of ['disable', 'enable'] as const) {
      app.post(
        `/users/:userId/${action}`,
        {
          config: write,
          schema: {
            tags,
            summary: action === 'disable' ? 'Disable a user: sign-in refused, sessions revoked, tokens dead' : 'Enable a disabled user',
            params: UserParams,
            response: responses({ 200: UserBody }, [404]),
          },
        },
        async (request) => ({ user: presentUser(await users[action](request.params.userId, adminCaller(request).actor)) }),
      )
    }

    app.post(
      '/users/:userId/reset-password',
      {
        config: write,
        schema: {
          tags,
          summary: 'Set a new password; every session of the user is revoked and their tokens die',
          params: UserParams,
          body: PasswordBody,
          response: responses({ 200: UserBody }, [404]),
        },
      },
      async (request) => {
        const caller = adminCaller(request)
        return { user: presentUser(await users.resetPassword(request.params.userId, request.body.password, caller.actor)) }
      },
    )

    app.post(
      '/users/:userId/sign-out-everywhere',
      {
        config: write,
        schema: {
          tags,
          summary: 'Revoke every session of the user and raise their token version',
          params: UserParams,
          response: responses({ 200: Revoked }, [404]),
        },
      },
      async (request) => {
        const user = await users.get(request.params.userId)
        return { revoked: await deps.sessions.revokeAll(user.id, { reason: 'operator', actor: adminCaller(request).actor }) }
      },
    )
  }
}
