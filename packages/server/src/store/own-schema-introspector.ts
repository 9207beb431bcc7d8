import {
  type DatabaseIntrospector,
  type DatabaseMetadata,
  type Kysely,
  PostgresDialect,
  type PostgresDialectConfig,
  sql,
  type TableMetadata,
} from 'kysely'

/**
 * A PostgreSQL introspector that sees only Tessera's own schema.
 *
 * Kysely's Migrator asks the introspector, at every start, whether its tables exist. The stock
 * PostgreSQL introspector reads every table of every schema in the database and calls
 * `pg_get_serial_sequence` and `has_schema_privilege` on each, which fail ("schema … does not
 * exist") when any other schema is dropped at that moment: one tenant's clean-up, or a parallel
 * test, would stop Tessera from starting. It also mistook another schema's `kysely_migration`
 * for ours when Tessera runs in the default schema.
 */
export class OwnSchemaIntrospector implements DatabaseIntrospector {
  constructor(
    private readonly db: Kysely<unknown>,
    /** The schema in use; undefined means the connection's `current_schema()`. */
    private readonly schema: string | undefined,
  ) {}

  async getSchemas() {
    const { rows } = await sql<{ name: string }>`select nspname as name from pg_catalog.pg_namespace`.execute(this.db)
    return rows
  }

  async getTables(): Promise<TableMetadata[]> {
    const { rows } = await sql<{
      table: string
      kind: string
      schema: string
      column: string | null
      type: string
      not_null: boolean
      has_default: boolean
      identity: string
    }>`
      select c.relname as table, c.relkind as kind, n.nspname as schema, a.attname as column,
             format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as not_null,
             a.atthasdef as has_default, a.attidentity as identity
      from pg_catalog.pg_class c
      join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      left join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
      where c.relkind in ('r', 'v', 'p') and n.nspname = ${this.schema ?? sql`current_schema()`}
      order by c.relname, a.attnum`.execute(this.db)
    const tables = new Map<string, TableMetadata>()
    for (const row of rows) {
      const table = tables.get(row.table) ?? { name: row.table, schema: row.schema, isView: row.kind === 'v', columns: [] }
      tables.set(row.table, table)
      if (row.column === null) continue
      table.columns.push({
        name: row.column,
        dataType: row.type,
        isNullable: !row.not_null,
        hasDefaultValue: row.has_default || row.identity !== '',
        isAutoIncrementing: row.identity !== '',
      })
    }
    return [...tables.values()]
  }

  async getMetadata(): Promise<DatabaseMetadata> {
    return { tables: await this.getTables() }
  }
}

/** PostgresDialect whose introspection is limited to one schema (see OwnSchemaIntrospector). */
export class OwnSchemaPostgresDialect extends PostgresDialect {
  constructor(
    config: PostgresDialectConfig,
    private readonly schema: string | undefined,
  ) {
    super(config)
  }

  override createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new OwnSchemaIntrospector(db, this.schema)
  }
}
