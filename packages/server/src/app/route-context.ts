import type { createAccountSignIn } from '../flows/account-sign-in.js'
import type { createUpstreamApi } from '../flows/upstream-api.js'
import type { PerIpLimit } from '../rate-limit/rate-limit-counter.js'
import type { createAuthenticate } from '../sessions/authenticate-request.js'
import type { PageTranslator } from '../ui/page-translator.js'
import type { AppDeps } from './app-deps.js'

/** What the route registrations share besides the services: built once per app in create-app.ts. */
export interface RouteContext {
  deps: AppDeps
  /** Issue 12 part 6: every hosted page speaks ui_locales, then Accept-Language, then the default. */
  translate: PageTranslator
  /** The bearer or cookie session of a /v1 request. */
  authenticate: ReturnType<typeof createAuthenticate>
  /** Each limiter's settings under its own name: a budget of its own, the same on every instance. */
  perIp: (limiter: string) => PerIpLimit
  /** Sends a browser without a session to the hosted sign-in, then back to where it was going. */
  accountSignIn: ReturnType<typeof createAccountSignIn>
  /** Issue 15 part 2: upstream sign-ins, driven by the hosted pages and by first-party apps over the flow API. */
  upstreamApi: ReturnType<typeof createUpstreamApi>
}
