import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { createAdminClient } from './api/admin-client.js'
import { type ConsoleAuth, createConsoleAuth } from './auth/console-auth.js'
import type { ConsoleLocation } from './auth/console-location.js'
import { accessOf, renewalDelay, type TokenSet } from './auth/token-set.js'
import { Frame } from './frame.js'
import { matchRoute, pathOf, type Route } from './router.js'
import { ConsoleContext, type ConsoleContextValue } from './ui/console-context.js'

type Phase =
  | { kind: 'starting' }
  | { kind: 'signed-in' }
  | { kind: 'signed-out' }
  | { kind: 'no-access' }
  | { kind: 'failed'; message: string }

/**
 * Signs in through Tessera (authorization code + PKCE), keeps the tokens in this closure and in
 * React state only, renews them with the refresh token before they expire, and routes the pages.
 */
export function App(props: { where: ConsoleLocation }) {
  const { where } = props
  const [route, setRoute] = useState<Route>(() => matchRoute(window.location.pathname, where.base))
  const [phase, setPhase] = useState<Phase>({ kind: 'starting' })
  const [tokens, setTokens] = useState<TokenSet | null>(null)
  const auth = useRef<ConsoleAuth | null>(null)
  const current = useRef<TokenSet | null>(null)
  current.current = tokens

  const navigate = useCallback(
    (next: Route) => {
      window.history.pushState(null, '', pathOf(next, where.base))
      setRoute(next)
      window.scrollTo(0, 0)
    },
    [where.base],
  )

  useEffect(() => {
    const onPop = () => setRoute(matchRoute(window.location.pathname, where.base))
    window.addEventListener('popstate', onPop)
    return () => window.removeEventListener('popstate', onPop)
  }, [where.base])

  // Start: finish a sign-in at the callback, show the signed-out page, or go and sign in.
  useEffect(() => {
    let cancelled = false
    ;(async () => {
      try {
        const client = await createConsoleAuth(where)
        if (cancelled) return
        auth.current = client
        const start = matchRoute(window.location.pathname, where.base)
        if (start.page === 'signed-out') {
          setPhase({ kind: 'signed-out' })
          return
        }
        if (start.page === 'callback') {
          const { tokens: signedIn, returnTo } = await client.completeSignIn(new URL(window.location.href))
          if (cancelled) return
          const back = matchRoute(returnTo, where.base)
          const target = back.page === 'callback' || back.page === 'signed-out' ? ({ page: 'overview' } as const) : back
          window.history.replaceState(null, '', pathOf(target, where.base))
          setRoute(target)
          setTokens(signedIn)
          setPhase(accessOf(signedIn.scope) === 'none' ? { kind: 'no-access' } : { kind: 'signed-in' })
          return
        }
        await client.signIn(window.location.pathname)
      } catch (error) {
        if (!cancelled) setPhase({ kind: 'failed', message: error instanceof Error ? error.message : String(error) })
      }
    })()
    return () => {
      cancelled = true
    }
  }, [where])

  const renew = useCallback(async (): Promise<boolean> => {
    const client = auth.current
    const held = current.current
    if (!client || !held?.refreshToken) return false
    try {
      const renewed = await client.refresh(held)
      current.current = renewed
      setTokens(renewed)
      return true
    } catch {
      // The refresh token is spent, revoked or its session ended: the person signs in again.
      setTokens(null)
      setPhase({ kind: 'failed', message: 'Your session ended. Sign in again.' })
      return false
    }
  }, [])

  // Silent renewal, before the access token expires.
  useEffect(() => {
    if (!tokens) return
    const timer = setTimeout(() => void renew(), renewalDelay(tokens, Date.now()))
    return () => clearTimeout(timer)
  }, [tokens, renew])

  const signOut = useCallback(async () => {
    const held = current.current
    setTokens(null)
    current.current = null
    await auth.current?.signOut(held)
  }, [])

  const signIn = useCallback(() => void auth.current?.signIn(`${where.base}/`), [where.base])

  const api = useMemo(
    () => createAdminClient({ base: `${where.issuer}/admin/v1`, accessToken: () => current.current?.accessToken ?? '', renew }),
    [where.issuer, renew],
  )

  const context = useMemo<ConsoleContextValue | null>(
    () =>
      tokens
        ? { api, access: accessOf(tokens.scope), userId: tokens.user.sub, navigate, href: (to: Route) => pathOf(to, where.base) }
        : null,
    [api, tokens, navigate, where.base],
  )

  if (phase.kind === 'signed-in' && context && tokens) {
    return (
      <ConsoleContext.Provider value={context}>
        <Frame route={route} user={tokens.user} access={context.access} onSignOut={signOut} />
      </ConsoleContext.Provider>
    )
  }
  return <Gate phase={phase} email={tokens?.user.email ?? null} onSignIn={signIn} onSignOut={signOut} />
}

/** Every state but signed in: one message and the one button that helps. */
function Gate(props: { phase: Phase; email: string | null; onSignIn: () => void; onSignOut: () => Promise<void> }) {
  const { phase } = props
  return (
    <main className="gate">
      <h1>Tessera admin console</h1>
      {phase.kind === 'starting' || phase.kind === 'signed-in' ? <p aria-live="polite">Signing in…</p> : null}
      {phase.kind === 'signed-out' ? (
        <>
          <p>You are signed out.</p>
          <button type="button" onClick={props.onSignIn}>
            Sign in
          </button>
        </>
      ) : null}
      {phase.kind === 'no-access' ? (
        <>
          <p role="alert">
            {props.email ?? 'This account'} holds no admin role. An operator can grant one with{' '}
            <code>tessera admin grant --user EMAIL</code>.
          </p>
          <button type="button" onClick={() => void props.onSignOut()}>
            Sign out
          </button>
        </>
      ) : null}
      {phase.kind === 'failed' ? (
        <>
          <p role="alert">{phase.message}</p>
          <button type="button" onClick={props.onSignIn}>
            Sign in again
          </button>
        </>
      ) : null}
    </main>
  )
}
