import { type Kysely, type Migration, sql } from 'kysely'

/**
 * CORS per application (docs/connect-an-app.md): the web origins an operator set for an
 * application (`null`: the default, the origins of a single-page app's redirect URIs), and an
 * index of the origins in force, so that a preflight, which names no client, is answered with one
 * indexed lookup. Existing single-page apps get their default origins here.
 */
export function webOrigins(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('applications').addColumn('web_origins', 'text').execute()
      await db.schema
        .createTable('application_web_origins')
        .addColumn('origin', 'text', (col) => col.notNull())
        .addColumn('client_id', 'text', (col) => col.notNull().references('applications.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('application_web_origins_pk', ['origin', 'client_id'])
        .execute()
      await db.schema.createIndex('application_web_origins_client_id').on('application_web_origins').column('client_id').execute()

      // Literal values only: a migration never changes meaning when domain code does.
      const spas = await sql<{
        id: string
        redirect_uris: string
      }>`select id, redirect_uris from applications where type = ${'spa'}`.execute(db)
      for (const row of spas.rows) {
        const origins = new Set<string>()
        for (const uri of JSON.parse(row.redirect_uris) as string[]) {
          const url = URL.canParse(uri) ? new URL(uri) : null
          if (url?.protocol === 'https:' || url?.protocol === 'http:') origins.add(url.origin)
        }
        for (const origin of origins) {
          await sql`insert into application_web_origins (origin, client_id) values (${origin}, ${row.id})`.execute(db)
        }
      }
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('application_web_origins').execute()
      await db.schema.alterTable('applications').dropColumn('web_origins').execute()
    },
  }
}
