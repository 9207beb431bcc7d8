import { describe, expect, it } from 'vitest'
import { cookieSettings, readSessionCookie } from './session-cookie.js'

describe('session cookie settings', () => {
  it('uses __Host- and Secure for an https issuer', () => {
    expect(cookieSettings('tessera_session', 'auto', 'https://id.example.com', 'lax')).toEqual({
      name: '__Host-tessera_session',
      secure: true,
      sameSite: 'lax',
    })
  })

  it('drops them only for plain-http localhost, unless told always', () => {
    expect(cookieSettings('tessera_session', 'auto', 'http://localhost:4000', 'lax').secure).toBe(false)
    expect(cookieSettings('tessera_session', 'auto', 'http://127.0.0.1:4000', 'lax').name).toBe('tessera_session')
    expect(cookieSettings('tessera_session', 'always', 'http://localhost:4000', 'strict')).toEqual({
      name: '__Host-tessera_session',
      secure: true,
      sameSite: 'strict',
    })
  })
})

describe('readSessionCookie', () => {
  const name = '__Host-tessera_session'

  it('finds the one session cookie among others', () => {
    expect(readSessionCookie(`a=1; ${name}=abc.def; b=2`, name)).toEqual({ kind: 'one', value: 'abc.def' })
  })

  it('reports none when absent or when only a similarly named cookie is there', () => {
    expect(readSessionCookie(undefined, name)).toEqual({ kind: 'none' })
    expect(readSessionCookie('tessera_session=x; x__Host-tessera_session=y', name)).toEqual({ kind: 'none' })
  })

  it('refuses two cookies with the session name (cookie tossing)', () => {
    expect(readSessionCookie(`${name}=a; other=1; ${name}=b`, name)).toEqual({ kind: 'duplicate' })
    expect(readSessionCookie(`${name}=a;${name}=a`, name)).toEqual({ kind: 'duplicate' })
  })
})
