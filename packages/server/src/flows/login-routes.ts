import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ApplicationService } from '../applications/application-service.js'
import { acceptFormBodiesOnly } from '../http/form-body.js'
import { field } from '../http/form-field.js'
import { requestDevice } from '../http/request-device.js'
import type { Translator } from '../i18n/translator.js'
import { type CookieSettings, cookieOptions } from '../sessions/session-cookie.js'
import type { SessionService } from '../sessions/session-service.js'
import type { Clock } from '../shared/clock.js'
import { ERRORS, isTesseraError, TesseraError } from '../shared/errors.js'
import { connectionIcon, iconOrigins, PRESET_ICONS, presetIconPath } from '../ui/connection-icons.js'
import { pageErrorHandlerFor, pageMessage } from '../ui/error-page.js'
import { FAVICON_SVG } from '../ui/favicon.js'
import { cspSourceOf, type Html, sendPage } from '../ui/html.js'
import { enrolmentPage, recoveryCodesPage } from '../ui/mfa-pages.js'
import { type PageTranslator, pageTranslator } from '../ui/page-translator.js'
import { consentPage, secondFactorPage, signedOutPage, signInPage, signUpPage } from '../ui/pages.js'
import { qrCodeSvg } from '../ui/qr-code.js'
import { STYLESHEET } from '../ui/stylesheet.js'
import { browserSession, readBinding } from './browser-binding.js'
import type { Flow, StepName } from './flow.js'
import { redirectTo } from './flow-pages.js'
import type { FlowService } from './flow-service.js'
import type { LoginFlow, SignedIn } from './login-flow.js'
import { passwordTime } from './steps/second-factor-enrolment-step.js'
import type { SecondFactors, StepInput } from './steps/step.js'
import { verifyEmailPages } from './verify-email-pages.js'

export interface LoginRoutesDeps {
  flows: FlowService
  login: LoginFlow
  applications: ApplicationService
  sessions: SessionService
  cookie: CookieSettings
  rateLimit: { max: number; timeWindow: number }
  secondFactors: Pick<SecondFactors, 'available'>
  /** Chooses each page's language: `ui_locales`, `Accept-Language`, the default (English when absent). */
  translate?: PageTranslator
  /** The authenticator app a user enrols in the flow where a factor is required (docs/mfa.md "Policy"). */
  enrolment: (userId: string, authTime: number) => Promise<{ secret: string; uri: string }>
  clock: Clock
  /** WebAuthn assertion options: for a user's second factor, or (null) any discoverable passkey. */
  passkeyOptions: (userId: string | null) => Promise<{ challengeId: string; options: unknown }>
  /** `signUp.requireVerifiedEmail` off: the sign-up page offers to verify the address in the flow. */
  offerVerification?: boolean
  /** Issue 15: the upstream providers shown to an application's users ("Continue with …"). */
  connectionsFor?: (clientId: string | null) => Promise<{ id: string; name: string; preset: string | null; iconUrl: string | null }[]>
}

/** What running one step answered: where the flow goes, the session it started, codes to show once. */
type Submitted = Awaited<ReturnType<LoginFlow['submit']>>

/** A login flow this browser is working on, with what its pages need. */
export interface Loaded {
  flow: Flow
  binding: string
  appName: string
  /** form-action sources the page needs: the client, when the form's answer redirects there. */
  targets: string[]
  /** The page's language (the authorization request's `ui_locales` first). */
  t: Translator
}

/**
 * The hosted pages of the login flow: sign-in, sign-up and consent (each shows one step and posts
 * it back), the signed-out page and the stylesheet. Routes only load the flow, run the step and
 * store the result (flows/login-flow.ts); rendering is ui/'s.
 */
export function loginRoutes(deps: LoginRoutesDeps) {
  return async (app: FastifyInstance) => {
    await acceptFormBodiesOnly(app)
    const translate = deps.translate ?? pageTranslator('en')
    app.setErrorHandler(pageErrorHandlerFor(translate))
    const onRequest = app.rateLimit(deps.rateLimit)
    // OWASP CSRF Prevention Cheat Sheet: every form post must be same-origin (http/csrf.ts) and
    // carry the flow's current token (flows/flow-service.ts).
    const config = { csrf: 'reject' } as const

    async function load(request: FastifyRequest, id: string | undefined): Promise<Loaded> {
      const binding = readBinding(request, deps.cookie)
      const flow = await deps.flows.load(id, binding, 'login')
      const params = flow.context.authorization
      const application = params ? await deps.applications.find(params.clientId) : null
      const target = params ? cspSourceOf(params.redirectUri) : null
      return {
        flow,
        binding: binding as string,
        appName: application?.name ?? 'Tessera',
        targets: target ? [target] : [],
        t: translate(request, params?.uiLocales),
      }
    }

    async function posted(request: FastifyRequest): Promise<Loaded> {
      const loaded = await load(request, field(request.body, 'request'))
      deps.flows.checkCsrf(loaded.flow, field(request.body, 'csrf'))
      return loaded
    }

    const form = (loaded: Loaded) => ({
      requestId: loaded.flow.id,
      csrf: deps.flows.csrfFor(loaded.flow, loaded.binding),
      appName: loaded.appName,
      t: loaded.t,
    })
    // A page that loads our scripts (passkeys) gets script-src 'self'; the others none.
    // Issue 15: the sign-in page's icons widen img-src by their https origins only (ui/connection-icons.ts).
    const page = (reply: FastifyReply, loaded: Loaded, status: number, body: Html, images: readonly string[] = []) =>
      sendPage(reply, status, body, loaded.targets, body.value.includes('<script src="/ui/assets/'), images)

    const offered = async (loaded: Loaded) => {
      const connections = ((await deps.connectionsFor?.(loaded.flow.clientId)) ?? []).map((connection) => ({
        id: connection.id,
        name: connection.name,
        icon: connectionIcon(connection),
      }))
      return { connections, images: iconOrigins(connections.map((connection) => connection.icon)) }
    }

    const setSessionCookie = (reply: FastifyReply, signedIn: SignedIn) => {
      const maxAge = Math.floor((signedIn.session.absoluteExpiresAt - signedIn.session.createdAt) / 1000)
      reply.setCookie(deps.cookie.name, signedIn.token, cookieOptions(deps.cookie, maxAge))
    }

    /**
     * The shape every step's post shares: run the step on the loaded flow for this browser, set the
     * session cookie if it signed in, and go where the outcome says (or to the page `shown` renders).
     * A refusal of the step itself is shown by `refused` on the step's own form; the flow's own
     * (expired, replayed) and failures become an error page.
     */
    async function advance(
      request: FastifyRequest,
      reply: FastifyReply,
      loaded: Loaded,
      step: StepName,
      input: StepInput,
      options: {
        /** The page's language goes with the step (the emails it sends, the session's audit). */
        withLocale?: boolean
        shown?: (submitted: Submitted) => FastifyReply | undefined
        refused?: (error: TesseraError) => Promise<unknown>
      } = {},
    ): Promise<unknown> {
      try {
        const browser = await browserSession(request, deps.cookie, deps.sessions)
        const device = options.withLocale ? { ...requestDevice(request), locale: loaded.t.locale } : requestDevice(request)
        const submitted = await deps.login.submit(loaded.flow, () => loaded.binding, step, input, device, browser)
        if (submitted.signedIn) setSessionCookie(reply, submitted.signedIn)
        return options.shown?.(submitted) ?? redirectTo(reply, submitted.outcome)
      } catch (error) {
        if (!options.refused || !isTesseraError(error) || error.status >= 500 || error.code === 'flow_expired') throw error
        if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter))
        return options.refused(error)
      }
    }

    app.get('/ui/sign-in', async (request, reply) => {
      const loaded = await load(request, field(request.query, 'request'))
      // A step-up re-authenticates the session's own account (flows/step-up.ts): its address is shown.
      const hint = loaded.flow.context.stepUp?.email ?? loaded.flow.context.authorization?.loginHint ?? null
      const link = loaded.flow.context.link ?? null
      const { connections, images } = await offered(loaded)
      // A flow waiting for proof of an existing account shows no connection (ui/pages.ts), so no icon either.
      return page(
        reply,
        loaded,
        200,
        signInPage({ ...form(loaded), email: link?.email ?? hint, error: null, connections, link }),
        link ? [] : images,
      )
    })

    app.get('/ui/sign-up', async (request, reply) => {
      const loaded = await load(request, field(request.query, 'request'))
      const offerVerification = deps.offerVerification === true
      return page(reply, loaded, 200, signUpPage({ ...form(loaded), email: null, error: null, offerVerification }))
    })

    const identifyingSteps: Record<'sign-in' | 'sign-up', StepName> = { 'sign-in': 'password', 'sign-up': 'registration' }
    for (const kind of ['sign-in', 'sign-up'] as const) {
      app.post(`/ui/${kind}`, { config, onRequest }, async (request, reply) => {
        const loaded = await posted(request)
        const email = field(request.body, 'email') ?? ''
        const verifyNow = kind === 'sign-up' && deps.offerVerification === true && field(request.body, 'verifyEmail') === 'now'
        const input = { email, password: field(request.body, 'password') ?? '', ...(verifyNow ? { verifyEmail: 'now' } : {}) }
        // signUp.requireVerifiedEmail: the flow waits on verify_email, whether the address was new or taken.
        return advance(request, reply, loaded, identifyingSteps[kind], input, {
          withLocale: true,
          refused: async (error) => {
            const again = {
              ...form(loaded),
              email,
              error: pageMessage(loaded.t, error.code, ERRORS[error.code].title),
              unverified: error.code === 'email_not_verified',
              offerVerification: deps.offerVerification === true,
            }
            return page(reply, loaded, error.status, kind === 'sign-in' ? signInPage(again) : signUpPage(again))
          },
        })
      })
    }

    verifyEmailPages(app, { load, posted, form, page, setSessionCookie, deps })

    const secondFactorForm = async (loaded: Loaded, error: string | null) => {
      const factors = loaded.flow.userId === null ? [] : await deps.secondFactors.available(loaded.flow.userId)
      return secondFactorPage({ ...form(loaded), factors, error })
    }

    app.get('/ui/second-factor', async (request, reply) => {
      const loaded = await load(request, field(request.query, 'request'))
      if (!loaded.flow.next.includes('second_factor')) return reply.redirect(`/ui/sign-in?request=${loaded.flow.id}`, 303)
      return page(reply, loaded, 200, await secondFactorForm(loaded, null))
    })

    app.post('/ui/second-factor', { config, onRequest }, async (request, reply) => {
      const loaded = await posted(request)
      const input = {
        factor: field(request.body, 'factor'),
        code: field(request.body, 'code'),
        webauthnChallengeId: field(request.body, 'webauthnChallengeId'),
        assertion: field(request.body, 'assertion'),
      }
      return advance(request, reply, loaded, 'second_factor', input, {
        withLocale: true,
        refused: async (error) =>
          page(reply, loaded, error.status, await secondFactorForm(loaded, pageMessage(loaded.t, error.code, ERRORS[error.code].title))),
      })
    })

    // docs/mfa.md "Passkeys": the page's script asks for options, then posts the assertion.
    app.post('/ui/passkey/options', { config, onRequest }, async (request, reply) => {
      await posted(request)
      reply.header('cache-control', 'no-store')
      return deps.passkeyOptions(null)
    })

    app.post('/ui/second-factor/webauthn-options', { config, onRequest }, async (request, reply) => {
      const { flow } = await posted(request)
      if (!flow.next.includes('second_factor') || flow.userId === null) throw new TesseraError('flow_expired')
      reply.header('cache-control', 'no-store')
      return deps.passkeyOptions(flow.userId)
    })

    app.post('/ui/sign-in/passkey', { config, onRequest }, async (request, reply) => {
      const loaded = await posted(request)
      const input = { webauthnChallengeId: field(request.body, 'webauthnChallengeId'), assertion: field(request.body, 'assertion') }
      return advance(request, reply, loaded, 'passkey', input, {
        refused: async (error) => {
          const { connections, images } = await offered(loaded)
          const again = signInPage({ ...form(loaded), email: null, error: ERRORS[error.code].title, connections })
          return page(reply, loaded, error.status, again, images)
        },
      })
    })

    // docs/mfa.md "Policy": where a second factor is required, one without enrols an authenticator app here.
    const enrolmentForm = async (loaded: Loaded, error: string | null) => {
      const since = passwordTime(loaded.flow, deps.clock.now())
      if (loaded.flow.userId === null || since === null)
        throw new TesseraError('flow_expired', { detail: 'sign in with your password again' })
      const { secret, uri } = await deps.enrolment(loaded.flow.userId, since)
      return enrolmentPage({ ...form(loaded), qr: await qrCodeSvg(uri, loaded.t.t('mfaEnrol.qrLabel')), secret, error })
    }

    app.get('/ui/second-factor/enrol', async (request, reply) => {
      const loaded = await load(request, field(request.query, 'request'))
      if (!loaded.flow.next.includes('second_factor_enrolment')) return reply.redirect(`/ui/sign-in?request=${loaded.flow.id}`, 303)
      return page(reply, loaded, 200, await enrolmentForm(loaded, null))
    })

    app.post('/ui/second-factor/enrol', { config, onRequest }, async (request, reply) => {
      const loaded = await posted(request)
      return advance(
        request,
        reply,
        loaded,
        'second_factor_enrolment',
        { code: field(request.body, 'code') },
        {
          // The codes are in this answer only, never in the flow: the page shows them, then goes on.
          shown: ({ outcome, recoveryCodes }) => {
            if (outcome.kind !== 'continue' || !outcome.flow.next.includes('recovery_codes') || !recoveryCodes) return undefined
            const next = { ...loaded, flow: outcome.flow }
            return page(reply, next, 200, recoveryCodesPage({ ...form(next), codes: recoveryCodes }))
          },
          refused: async (error) =>
            page(reply, loaded, error.status, await enrolmentForm(loaded, pageMessage(loaded.t, error.code, ERRORS[error.code].title))),
        },
      )
    })

    app.get('/ui/recovery-codes', async (request, reply) => {
      const loaded = await load(request, field(request.query, 'request'))
      if (!loaded.flow.next.includes('recovery_codes')) return reply.redirect(`/ui/sign-in?request=${loaded.flow.id}`, 303)
      return page(reply, loaded, 200, recoveryCodesPage({ ...form(loaded), codes: null }))
    })

    app.post('/ui/recovery-codes', { config }, async (request, reply) => {
      return advance(request, reply, await posted(request), 'recovery_codes', {})
    })

    app.get('/ui/consent', async (request, reply) => {
      const loaded = await load(request, field(request.query, 'request'))
      const auth = await browserSession(request, deps.cookie, deps.sessions)
      if (!auth || !loaded.flow.next.includes('consent')) return reply.redirect(`/ui/sign-in?request=${loaded.flow.id}`, 303)
      const scope = loaded.flow.context.authorization?.scope ?? []
      return page(reply, loaded, 200, consentPage({ ...form(loaded), email: auth.user.email, scope }))
    })

    app.post('/ui/consent', { config }, async (request, reply) => {
      const loaded = await posted(request)
      const auth = await browserSession(request, deps.cookie, deps.sessions)
      // No session any more (signed out in another tab, expired): the flow goes back to sign-in.
      if (!auth) return redirectTo(reply, await deps.login.resume(loaded.flow, loaded.flow, () => loaded.binding, null))
      const decision = { decision: field(request.body, 'decision') }
      const { outcome } = await deps.login.submit(
        loaded.flow,
        () => loaded.binding,
        'consent',
        decision,
        { ...requestDevice(request), locale: loaded.t.locale },
        auth,
      )
      return redirectTo(reply, outcome)
    })

    app.get('/ui/signed-out', async (request, reply) => sendPage(reply, 200, signedOutPage(translate(request))))

    app.get('/ui/assets/tessera.css', async (_request, reply) =>
      reply.header('cache-control', 'public, max-age=3600').type('text/css; charset=utf-8').send(STYLESHEET),
    )
    for (const [preset, svg] of Object.entries(PRESET_ICONS)) {
      app.get(presetIconPath(preset), async (_request, reply) =>
        reply
          .header('cache-control', 'public, max-age=86400')
          // Opened on its own, the image may still do nothing but be drawn.
          .header('content-security-policy', "default-src 'none'")
          .type('image/svg+xml')
          .send(svg),
      )
    }
    for (const path of ['/ui/assets/favicon.svg', '/favicon.ico']) {
      app.get(path, async (_request, reply) =>
        reply.header('cache-control', 'public, max-age=86400').type('image/svg+xml').send(FAVICON_SVG),
      )
    }
  }
}
