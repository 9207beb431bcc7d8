/** The console's pages, addressed by path below its base (`/console`). */
export type Route =
  | { page: 'overview' }
  | { page: 'users' }
  | { page: 'user'; id: string }
  | { page: 'applications' }
  | { page: 'application'; id: string }
  | { page: 'apis' }
  | { page: 'roles' }
  | { page: 'role'; id: string }
  | { page: 'keys' }
  | { page: 'webhooks' }
  | { page: 'email' }
  | { page: 'audit' }
  | { page: 'settings' }
  | { page: 'connections' }
  | { page: 'callback' }
  | { page: 'signed-out' }
  | { page: 'not-found' }

const LISTS = [
  'users',
  'applications',
  'apis',
  'roles',
  'keys',
  'webhooks',
  'email',
  'audit',
  'settings',
  'connections',
  'callback',
  'signed-out',
] as const
const DETAILS = { users: 'user', applications: 'application', roles: 'role' } as const

/** The route of a path; anything unknown is `not-found`, never an error. */
export function matchRoute(pathname: string, base: string): Route {
  if (pathname !== base && !pathname.startsWith(`${base}/`)) return { page: 'not-found' }
  const parts = pathname.slice(base.length).split('/').filter(Boolean).map(decodeSegment)
  if (parts.some((part) => part === null)) return { page: 'not-found' }
  const [first, second, ...rest] = parts as string[]
  if (first === undefined) return { page: 'overview' }
  if (rest.length > 0) return { page: 'not-found' }
  if (second === undefined) {
    return (LISTS as readonly string[]).includes(first) ? ({ page: first } as Route) : { page: 'not-found' }
  }
  const detail = DETAILS[first as keyof typeof DETAILS]
  return detail ? { page: detail, id: second } : { page: 'not-found' }
}

/** The path of a route; ids are encoded, so an id cannot add a path segment. */
export function pathOf(route: Route, base: string): string {
  switch (route.page) {
    case 'overview':
    case 'not-found':
      return `${base}/`
    case 'user':
      return `${base}/users/${encodeURIComponent(route.id)}`
    case 'application':
      return `${base}/applications/${encodeURIComponent(route.id)}`
    case 'role':
      return `${base}/roles/${encodeURIComponent(route.id)}`
    default:
      return `${base}/${route.page}`
  }
}

function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment)
  } catch {
    return null
  }
}
