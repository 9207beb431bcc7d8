import type { AdminClient } from './admin-client.js'

/** A paged list's body: its items under `field`, and the cursor of the next page. */
export type PageBody<F extends string, T> = { [K in F]: T[] } & { nextCursor: string | null }

/** The most pages a picker reads (200 a page): beyond that an operator searches instead of scrolling. */
export const MAX_PICKER_PAGES = 10

/**
 * Every item of a paged admin list, for a picker or a matrix (the APIs on a role's page, the roles
 * a user may be given): pages of 200 followed by their cursors, at most `MAX_PICKER_PAGES`.
 */
export async function fetchAll<T, F extends string>(api: Pick<AdminClient, 'get'>, path: string, field: F): Promise<T[]> {
  const items: T[] = []
  let cursor: string | undefined
  for (let page = 0; page < MAX_PICKER_PAGES; page += 1) {
    const body = await api.get<PageBody<F, T>>(path, { limit: '200', cursor })
    items.push(...body[field])
    if (body.nextCursor === null) break
    cursor = body.nextCursor
  }
  return items
}
