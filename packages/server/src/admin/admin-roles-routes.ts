import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { presentRole } from '../rbac/role.js'
import type { RoleService } from '../rbac/role-service.js'
import { ADMIN_READ, ADMIN_WRITE } from './admin-api.js'
import { ApplicationParams } from './admin-applications-schemas.js'
import { adminCaller } from './admin-auth-hook.js'
import { decodeCursor, encodeCursor } from './admin-cursor.js'
import { PageQuery, pageOf } from './admin-page.js'
import {
  ApplicationRoleParams,
  NewRoleBody,
  RoleBody,
  RoleChangesBody,
  RoleDetailBody,
  RoleList,
  RoleMembers,
  RolePage,
  RoleParams,
  RolePermissionQuery,
  RolePermissionsBody,
  UserRoleParams,
} from './admin-roles-schemas.js'
import { DEFAULT_PAGE, NoContent, responses } from './admin-schemas.js'
import { UserParams } from './admin-users-schemas.js'

const read = { permission: ADMIN_READ } as const
const write = { permission: ADMIN_WRITE } as const
const tags = ['roles']

/** Roles, their permissions, and who holds them (users and m2m applications), over the RBAC role service. */
export function adminRolesRoutes(deps: { roles: RoleService }): FastifyPluginAsyncTypebox {
  const { roles } = deps
  return async (app) => {
    app.get(
      '/roles',
      {
        config: read,
        schema: { tags, summary: 'List roles, ordered by id', querystring: PageQuery, response: responses({ 200: RolePage }) },
      },
      async (request) => {
        const page = pageOf(await roles.list(), (role) => role.id, request.query, { kind: 'roles', key: /^rol_[A-Za-z0-9_-]{1,64}$/ })
        return { roles: page.items.map(presentRole), nextCursor: page.nextCursor }
      },
    )

    app.post(
      '/roles',
      { config: write, schema: { tags, summary: 'Create a role', body: NewRoleBody, response: responses({ 201: RoleBody }, [409]) } },
      async (request, reply) => reply.code(201).send({ role: presentRole(await roles.create(request.body, adminCaller(request).actor)) }),
    )

    app.get(
      '/roles/:roleId',
      {
        config: read,
        schema: {
          tags,
          summary: 'Get a role and its permissions',
          params: RoleParams,
          response: responses({ 200: RoleDetailBody }, [404]),
        },
      },
      async (request) => ({ role: presentRole(await roles.get(request.params.roleId)) }),
    )

    app.patch(
      '/roles/:roleId',
      {
        config: write,
        schema: {
          tags,
          summary: "Rename or describe a role (a rename cuts off its holders' tokens)",
          params: RoleParams,
          body: RoleChangesBody,
          response: responses({ 200: RoleBody }, [404, 409]),
        },
      },
      async (request) => ({ role: presentRole(await roles.update(request.params.roleId, request.body, adminCaller(request).actor)) }),
    )

    app.delete(
      '/roles/:roleId',
      {
        config: write,
        schema: {
          tags,
          summary: "Delete a role; its holders' tokens die",
          params: RoleParams,
          response: responses({ 204: NoContent }, [404]),
        },
      },
      async (request, reply) => {
        await roles.delete(request.params.roleId, adminCaller(request).actor)
        return reply.code(204).send()
      },
    )

    app.post(
      '/roles/:roleId/permissions',
      {
        config: write,
        schema: {
          tags,
          summary: 'Add permissions of one API to a role',
          params: RoleParams,
          body: RolePermissionsBody,
          response: responses({ 200: RoleDetailBody }, [404]),
        },
      },
      async (request) => {
        const { api, permissions } = request.body
        return { role: presentRole(await roles.addPermissions(request.params.roleId, api, permissions, adminCaller(request).actor)) }
      },
    )

    app.delete(
      '/roles/:roleId/permissions',
      {
        config: write,
        schema: {
          tags,
          summary: "Remove a permission from a role; its holders' tokens die",
          params: RoleParams,
          querystring: RolePermissionQuery,
          response: responses({ 200: RoleDetailBody }, [404]),
        },
      },
      async (request) => {
        const { api, permission } = request.query
        return { role: presentRole(await roles.removePermissions(request.params.roleId, api, [permission], adminCaller(request).actor)) }
      },
    )

    app.get(
      '/roles/:roleId/members',
      {
        config: read,
        schema: {
          tags,
          summary: 'Who holds a role: users (paged by id) and applications',
          params: RoleParams,
          querystring: PageQuery,
          response: responses({ 200: RoleMembers }, [404]),
        },
      },
      async (request) => {
        const { limit, cursor } = request.query
        const size = limit === undefined ? DEFAULT_PAGE : Number(limit)
        const after = cursor === undefined ? undefined : decodeCursor('role-members', cursor, /^usr_[A-Za-z0-9_-]{1,64}$/)
        const members = await roles.members(request.params.roleId, { limit: size, ...(after ? { afterUserId: after } : {}) })
        const last = members.users.at(-1)
        return {
          users: members.users,
          applications: after ? [] : members.applications,
          nextCursor: members.more && last ? encodeCursor('role-members', last.id) : null,
        }
      },
    )

    app.get(
      '/users/:userId/roles',
      {
        config: read,
        schema: { tags, summary: 'List the roles a user holds', params: UserParams, response: responses({ 200: RoleList }, [404]) },
      },
      async (request) => ({ roles: (await roles.listRolesOfUser(request.params.userId)).map(presentRole) }),
    )

    app.put(
      '/users/:userId/roles/:roleId',
      {
        config: write,
        schema: {
          tags,
          summary: 'Assign a role to a user (idempotent)',
          params: UserRoleParams,
          response: responses({ 204: NoContent }, [404]),
        },
      },
      async (request, reply) => {
        await roles.assignToUser(request.params.roleId, request.params.userId, adminCaller(request).actor)
        return reply.code(204).send()
      },
    )

    app.delete(
      '/users/:userId/roles/:roleId',
      {
        config: write,
        schema: {
          tags,
          summary: 'Take a role from a user; their tokens that may carry it die',
          params: UserRoleParams,
          response: responses({ 204: NoContent }, [404]),
        },
      },
      async (request, reply) => {
        await roles.unassignFromUser(request.params.roleId, request.params.userId, adminCaller(request).actor)
        return reply.code(204).send()
      },
    )

    app.get(
      '/applications/:clientId/roles',
      {
        config: read,
        schema: {
          tags,
          summary: 'List the roles an application holds',
          params: ApplicationParams,
          response: responses({ 200: RoleList }, [404]),
        },
      },
      async (request) => ({ roles: (await roles.listRolesOfApplication(request.params.clientId)).map(presentRole) }),
    )

    app.put(
      '/applications/:clientId/roles/:roleId',
      {
        config: write,
        schema: {
          tags,
          summary: 'Assign a role to an m2m application (idempotent)',
          params: ApplicationRoleParams,
          response: responses({ 204: NoContent }, [404]),
        },
      },
      async (request, reply) => {
        await roles.assignToApplication(request.params.roleId, request.params.clientId, adminCaller(request).actor)
        return reply.code(204).send()
      },
    )

    app.delete(
      '/applications/:clientId/roles/:roleId',
      {
        config: write,
        schema: {
          tags,
          summary: 'Take a role from an application; its tokens issued so far die',
          params: ApplicationRoleParams,
          response: responses({ 204: NoContent }, [404]),
        },
      },
      async (request, reply) => {
        await roles.unassignFromApplication(request.params.roleId, request.params.clientId, adminCaller(request).actor)
        return reply.code(204).send()
      },
    )
  }
}
