import { describe, expect, it } from 'vitest'
import { matchRoute, pathOf, type Route } from './router.js'

describe('router', () => {
  it('maps every page to a path and back', () => {
    const routes: Route[] = [
      { page: 'overview' },
      { page: 'users' },
      { page: 'user', id: 'usr_abc' },
      { page: 'applications' },
      { page: 'application', id: 'Ab-c_123' },
      { page: 'apis' },
      { page: 'roles' },
      { page: 'role', id: 'rol_x' },
      { page: 'keys' },
      { page: 'webhooks' },
      { page: 'email' },
      { page: 'settings' },
      { page: 'connections' },
      { page: 'audit' },
      { page: 'callback' },
      { page: 'signed-out' },
    ]
    for (const route of routes) expect(matchRoute(pathOf(route, '/console'), '/console')).toEqual(route)
  })

  it('encodes ids, so an id cannot add a path segment', () => {
    const path = pathOf({ page: 'user', id: 'a/b' }, '/console')
    expect(path).toBe('/console/users/a%2Fb')
    expect(matchRoute(path, '/console')).toEqual({ page: 'user', id: 'a/b' })
  })

  it('answers not-found for unknown, too deep, badly encoded or foreign paths', () => {
    for (const path of ['/console/nope', '/console/users/usr_1/extra', '/console/users/%E0%A4%A', '/elsewhere', '/consoles']) {
      expect(matchRoute(path, '/console')).toEqual({ page: 'not-found' })
    }
    expect(matchRoute('/console', '/console')).toEqual({ page: 'overview' })
  })
})
