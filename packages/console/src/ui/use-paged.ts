import { useCallback, useEffect, useRef, useState } from 'react'
import type { PageBody } from '../api/fetch-all.js'
import { asError } from './as-error.js'
import { useConsole } from './console-context.js'

export interface Paged<T> {
  items: T[] | null
  loading: boolean
  error: Error | null
  /** Whether the API said more pages follow. */
  hasMore: boolean
  /** Appends the next page. */
  more(): void
  /** Starts again from the first page (after a change). */
  reload(): void
}

/** A paged admin list (`?limit=&cursor=`), the first page on mount, the next ones on demand. */
export function usePaged<T, F extends string>(path: string, field: F, pageSize = 50): Paged<T> {
  const { api } = useConsole()
  const [items, setItems] = useState<T[] | null>(null)
  const [cursor, setCursor] = useState<string | null>(null)
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState<Error | null>(null)
  const generation = useRef(0)

  const load = useCallback(
    async (after: string | null) => {
      const mine = ++generation.current
      setLoading(true)
      setError(null)
      try {
        const body = await api.get<PageBody<F, T>>(path, { limit: String(pageSize), cursor: after ?? undefined })
        if (mine !== generation.current) return // a newer load started: this answer is stale
        setItems((previous) => (after && previous ? [...previous, ...body[field]] : body[field]))
        setCursor(body.nextCursor)
      } catch (caught) {
        if (mine === generation.current) setError(asError(caught))
      } finally {
        if (mine === generation.current) setLoading(false)
      }
    },
    [api, path, field, pageSize],
  )

  useEffect(() => {
    void load(null)
  }, [load])

  return {
    items,
    loading,
    error,
    hasMore: cursor !== null,
    more: () => {
      if (cursor) void load(cursor)
    },
    reload: () => void load(null),
  }
}
