import { useCallback, useEffect, useState } from 'react'
import { asError } from './as-error.js'

export interface Loaded<T> {
  data: T | null
  error: Error | null
  loading: boolean
  reload(): void
}

/** Runs `load` when `key` changes (and on reload); a stale answer never overwrites a newer one. */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: Error | null; loading: boolean }>({ data: null, error: null, loading: true })
  const [generation, setGeneration] = useState(0)
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` names what `load` depends on.
  useEffect(() => {
    let current = true
    setState((previous) => ({ ...previous, loading: true, error: null }))
    load().then(
      (data) => current && setState({ data, error: null, loading: false }),
      (error: unknown) => current && setState({ data: null, error: asError(error), loading: false }),
    )
    return () => {
      current = false
    }
  }, [key, generation])
  const reload = useCallback(() => setGeneration((n) => n + 1), [])
  return { ...state, reload }
}
