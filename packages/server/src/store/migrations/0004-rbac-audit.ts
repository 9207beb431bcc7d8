import type { Kysely, Migration } from 'kysely'

/** Roles and their permissions and assignments (RBAC), the `roles` claim switch on APIs, and the audit log. */
export function rbacAudit(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('roles')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('name', 'text', (col) => col.notNull().unique())
        .addColumn('description', 'text', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        .execute()

      // A permission is one of its API's scopes. Deleting the API or the role takes the grant with it.
      await db.schema
        .createTable('role_permissions')
        .addColumn('role_id', 'text', (col) => col.notNull().references('roles.id').onDelete('cascade'))
        .addColumn('api', 'text', (col) => col.notNull().references('apis.identifier').onDelete('cascade'))
        .addColumn('permission', 'text', (col) => col.notNull())
        .addPrimaryKeyConstraint('role_permissions_pk', ['role_id', 'api', 'permission'])
        .execute()
      await db.schema.createIndex('role_permissions_api').on('role_permissions').columns(['api', 'role_id']).execute()

      await db.schema
        .createTable('user_roles')
        .addColumn('user_id', 'text', (col) => col.notNull().references('users.id').onDelete('cascade'))
        .addColumn('role_id', 'text', (col) => col.notNull().references('roles.id').onDelete('cascade'))
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addPrimaryKeyConstraint('user_roles_pk', ['user_id', 'role_id'])
        .execute()
      await db.schema.createIndex('user_roles_role').on('user_roles').column('role_id').execute()

      await db.schema
        .createTable('application_roles')
        .addColumn('application_id', 'text', (col) => col.notNull().references('applications.id').onDelete('cascade'))
        .addColumn('role_id', 'text', (col) => col.notNull().references('roles.id').onDelete('cascade'))
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addPrimaryKeyConstraint('application_roles_pk', ['application_id', 'role_id'])
        .execute()
      await db.schema.createIndex('application_roles_role').on('application_roles').column('role_id').execute()

      await db.schema
        .alterTable('apis')
        .addColumn('roles_claim', 'integer', (col) => col.notNull().defaultTo(0))
        .execute()

      // The audit log: a projection of the event outbox; `seq` is the event's outbox seq.
      await db.schema
        .createTable('audit_log')
        .addColumn('seq', 'bigint', (col) => col.primaryKey())
        .addColumn('occurred_at', 'bigint', (col) => col.notNull())
        .addColumn('actor_kind', 'text', (col) => col.notNull())
        .addColumn('actor_id', 'text')
        .addColumn('action', 'text', (col) => col.notNull())
        .addColumn('target_type', 'text')
        .addColumn('target_id', 'text')
        .addColumn('user_id', 'text')
        .addColumn('ip', 'text')
        .addColumn('detail', 'text', (col) => col.notNull())
        .execute()
      await db.schema.createIndex('audit_log_actor').on('audit_log').columns(['actor_kind', 'actor_id', 'seq']).execute()
      await db.schema.createIndex('audit_log_action').on('audit_log').columns(['action', 'seq']).execute()
      await db.schema.createIndex('audit_log_user').on('audit_log').columns(['user_id', 'seq']).execute()
      await db.schema.createIndex('audit_log_occurred').on('audit_log').columns(['occurred_at']).execute()

      // How far the projector has read the outbox with nothing missing below (see audit-projector.ts).
      await db.schema
        .createTable('audit_projection')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('watermark', 'bigint', (col) => col.notNull())
        .execute()
    },
  }
}
