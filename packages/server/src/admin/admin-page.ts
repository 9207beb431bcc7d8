import { Type } from '@sinclair/typebox'
import { decodeCursor, encodeCursor } from './admin-cursor.js'
import { Cursor, closed, DEFAULT_PAGE, Limit } from './admin-schemas.js'

/** `?limit=&cursor=` of a paged list. */
export const PageQuery = closed({ limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) })
export const NextCursor = Type.Union([Type.String(), Type.Null()], {
  description: 'Pass it as `cursor` for the next page; null on the last.',
})

/**
 * One page of a whole list that a service reads at once (applications, APIs, roles, webhook
 * endpoints: configuration, small by nature and cached per instance), ordered by its id, with an
 * opaque cursor like the users list's. Ids sort by code unit, the same on every dialect.
 */
export function pageOf<T>(
  items: readonly T[],
  idOf: (item: T) => string,
  query: { limit?: string | undefined; cursor?: string | undefined },
  list: { kind: string; key: RegExp },
): { items: T[]; nextCursor: string | null } {
  const limit = query.limit === undefined ? DEFAULT_PAGE : Number(query.limit)
  const after = query.cursor === undefined ? null : decodeCursor(list.kind, query.cursor, list.key)
  const sorted = [...items].sort((a, b) => (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0))
  const rest = after === null ? sorted : sorted.filter((item) => idOf(item) > after)
  const page = rest.slice(0, limit)
  const last = page.at(-1)
  return { items: page, nextCursor: rest.length > limit && last ? encodeCursor(list.kind, idOf(last)) : null }
}
