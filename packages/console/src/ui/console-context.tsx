import { createContext, useContext } from 'react'
import type { AdminClient } from '../api/admin-client.js'
import type { Access } from '../auth/token-set.js'
import type { Route } from '../router.js'

export interface ConsoleContextValue {
  api: AdminClient
  access: Access
  /** The signed-in person's user id (the ID token's `sub`). */
  userId: string
  navigate(route: Route): void
  href(route: Route): string
}

export const ConsoleContext = createContext<ConsoleContextValue | null>(null)

export function useConsole(): ConsoleContextValue {
  const value = useContext(ConsoleContext)
  if (!value) throw new Error('useConsole outside the console frame')
  return value
}

/** Read-only operators (admin:read alone) see no write actions; the API refuses them anyway. */
export function useCanWrite(): boolean {
  return useConsole().access === 'write'
}
