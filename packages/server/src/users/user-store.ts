import { type Selectable, sql } from 'kysely'
import type { Executor, UsersTable } from '../store/database.js'
import type { User } from './user.js'

export interface UserListQuery {
  /** Case-insensitive substring of the email. */
  search?: string
  /** Return users whose sort key (id, or email) comes after this one (keyset pagination). */
  after?: string
  /** By id (the default), or by email A to Z (`email`) or Z to A (`-email`): the unique email index serves both. */
  sort?: UserSort
  limit: number
}

export type UserSort = 'id' | 'email' | '-email'

export type NewUserRecord = Omit<User, 'emailVerified'> & { emailVerified?: boolean }

/** Users without their credentials. */
export interface UserStore {
  /** A new user; `emailVerified` defaults to false. */
  insert(user: NewUserRecord): Promise<void>
  findById(id: string): Promise<User | null>
  findByEmail(email: string): Promise<User | null>
  list(query: UserListQuery): Promise<User[]>
  /** Changes the status; false when the user is unknown or already has it (so only one of two racing changes wins). */
  setStatus(id: string, status: User['status'], now: number): Promise<boolean>
  /** Changes the address; the new one starts unverified. */
  setEmail(id: string, email: string, now: number): Promise<boolean>
  /** Marks the address verified, only while it is still `email`; false otherwise (it changed meanwhile). */
  markEmailVerified(id: string, email: string, now: number): Promise<boolean>
  /** Deletes the user; its credential and sessions go with it (foreign keys cascade). */
  delete(id: string): Promise<boolean>
  /** Raises the token version by one and returns the new value, or null for an unknown user. */
  raiseTokenVersion(id: string, now: number): Promise<number | null>
}

export function createUserStore(db: Executor): UserStore {
  return {
    async insert(user) {
      await db
        .insertInto('users')
        .values({
          id: user.id,
          email: user.email,
          status: user.status,
          token_version: user.tokenVersion,
          email_verified: user.emailVerified === true ? 1 : 0,
          created_at: user.createdAt,
          updated_at: user.updatedAt,
        })
        .execute()
    },
    async findById(id) {
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()
      return row ? toUser(row) : null
    },
    async findByEmail(email) {
      const row = await db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst()
      return row ? toUser(row) : null
    },
    async list({ search, after, limit, sort = 'id' }) {
      const column = sort === 'id' ? 'id' : 'email'
      const descending = sort === '-email'
      let query = db
        .selectFrom('users')
        .selectAll()
        .orderBy(column, descending ? 'desc' : 'asc')
        .limit(limit)
      if (search) query = query.where(sql<boolean>`email like ${`%${escapeLike(search.toLowerCase())}%`} escape '\\'`)
      if (after) query = query.where(column, descending ? '<' : '>', after)
      return (await query.execute()).map(toUser)
    },
    async setStatus(id, status, now) {
      const result = await db
        .updateTable('users')
        .set({ status, updated_at: now })
        .where('id', '=', id)
        .where('status', '!=', status)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) > 0
    },
    async setEmail(id, email, now) {
      // A new address is unproven until a link sent to it is used.
      const result = await db
        .updateTable('users')
        .set({ email, email_verified: 0, updated_at: now })
        .where('id', '=', id)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) > 0
    },
    async markEmailVerified(id, email, now) {
      const result = await db
        .updateTable('users')
        .set({ email_verified: 1, updated_at: now })
        .where('id', '=', id)
        .where('email', '=', email)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) > 0
    },
    async delete(id) {
      const result = await db.deleteFrom('users').where('id', '=', id).executeTakeFirst()
      return Number(result.numDeletedRows) > 0
    },
    async raiseTokenVersion(id, now) {
      await db
        .updateTable('users')
        .set((eb) => ({ token_version: eb('token_version', '+', 1), updated_at: now }))
        .where('id', '=', id)
        .execute()
      const row = await db.selectFrom('users').select('token_version').where('id', '=', id).executeTakeFirst()
      return row ? row.token_version : null
    },
  }
}

/** A `users` row as a User (exported for stores that read a user together with what it owns). */
export function toUser(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    email: row.email,
    status: row.status,
    tokenVersion: row.token_version,
    emailVerified: Number(row.email_verified) === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (char) => `\\${char}`)
}
