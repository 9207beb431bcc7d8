import { readFileSync } from 'node:fs'
import type { RequestHandler } from 'express'
import type { MiddlewareHandler } from 'hono'
import { describe, expect, expectTypeOf, it } from 'vitest'
import * as expressEntry from '../src/express/index.js'
import type { AuthHook } from '../src/fastify/index.js'
import * as fastifyEntry from '../src/fastify/index.js'
import type { AuthEnv } from '../src/hono/index.js'
import * as honoEntry from '../src/hono/index.js'
import type {
  AccessTokenClaims,
  AuthContext,
  AuthErrorCode,
  FetchLike,
  SessionContext,
  Verifier,
  VerifierOptions,
  VerifyOptions,
} from '../src/index.js'
import * as sdk from '../src/index.js'

describe('the public API', () => {
  it('exports exactly these values from each entry point', () => {
    expect(Object.keys(sdk).sort()).toEqual(
      [
        'AUTH_ERRORS',
        'TesseraAuthError',
        'authErrorResponse',
        'createVerifier',
        'isTesseraAuthError',
        'readBearerToken',
        'systemClock',
      ].sort(),
    )
    expect(Object.keys(expressEntry)).toEqual(['requireAuth'])
    expect(Object.keys(fastifyEntry)).toEqual(['requireAuth'])
    expect(Object.keys(honoEntry)).toEqual(['requireAuth'])
  })

  it('maps one subpath per entry point, and nothing else', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
    expect(Object.keys(pkg.exports)).toEqual(['.', './express', './fastify', './hono', './package.json'])
    expect(pkg.dependencies).toEqual({ jose: expect.any(String) })
  })

  it('keeps its error codes stable', () => {
    expect(Object.keys(sdk.AUTH_ERRORS)).toEqual([
      'missing_token',
      'invalid_request',
      'invalid_token',
      'token_expired',
      'token_revoked',
      'insufficient_scope',
      'insufficient_user_authentication',
      'invalid_dpop_proof',
      'dpop_required',
      'stale_revocation_feed',
      'verifier_unavailable',
      'invalid_configuration',
    ])
    expectTypeOf<AuthErrorCode>().toEqualTypeOf<
      | 'missing_token'
      | 'invalid_request'
      | 'invalid_token'
      | 'token_expired'
      | 'token_revoked'
      | 'insufficient_scope'
      | 'insufficient_user_authentication'
      | 'invalid_dpop_proof'
      | 'dpop_required'
      | 'stale_revocation_feed'
      | 'verifier_unavailable'
      | 'invalid_configuration'
    >()
  })

  it('types the verifier and what it returns', () => {
    expectTypeOf(sdk.createVerifier).parameter(0).toEqualTypeOf<VerifierOptions>()
    expectTypeOf(sdk.createVerifier).returns.toEqualTypeOf<Verifier>()
    expectTypeOf<VerifierOptions['mode']>().toEqualTypeOf<'jwt' | 'hybrid' | 'session'>()
    expectTypeOf<VerifierOptions['onStale']>().toEqualTypeOf<'fail' | 'introspect' | undefined>()
    expectTypeOf<VerifierOptions['fetch']>().toEqualTypeOf<FetchLike | undefined>()
    expectTypeOf<Verifier['verify']>().toEqualTypeOf<(token: string, options?: VerifyOptions) => Promise<AuthContext>>()
    expectTypeOf<Verifier['verifySession']>().returns.resolves.toEqualTypeOf<SessionContext>()
    expectTypeOf<Verifier['staleness']>().returns.toEqualTypeOf<number>()
    expectTypeOf<Verifier['close']>().returns.toEqualTypeOf<Promise<void>>()
    expectTypeOf<AuthContext>().toEqualTypeOf<{
      readonly subject: string
      readonly sessionId: string | null
      readonly clientId: string
      readonly scopes: readonly string[]
      readonly claims: Readonly<AccessTokenClaims>
      readonly tokenVersion: number | null
      readonly authTime: number | null
      readonly acr: string | null
      readonly amr: readonly string[]
    }>()
    expectTypeOf<VerifyOptions>().toEqualTypeOf<{
      scopes?: readonly string[]
      maxAge?: number
      acr?: string | readonly string[]
    }>()
    expectTypeOf<SessionContext>().toEqualTypeOf<{ readonly userId: string; readonly sessionId: string }>()
    expectTypeOf<sdk.TesseraAuthError['code']>().toEqualTypeOf<AuthErrorCode>()
    expectTypeOf<sdk.TesseraAuthError['status']>().toEqualTypeOf<number>()
  })

  it('types each adapter as its framework expects, with the auth context attached', () => {
    expectTypeOf(expressEntry.requireAuth).returns.toEqualTypeOf<RequestHandler>()
    expectTypeOf(fastifyEntry.requireAuth).returns.toEqualTypeOf<AuthHook>()
    expectTypeOf(honoEntry.requireAuth).returns.toEqualTypeOf<MiddlewareHandler<AuthEnv>>()
    expectTypeOf<import('express').Request['auth']>().toEqualTypeOf<AuthContext | undefined>()
    expectTypeOf<import('fastify').FastifyRequest['auth']>().toEqualTypeOf<AuthContext | undefined>()
    expectTypeOf<AuthEnv['Variables']['auth']>().toEqualTypeOf<AuthContext>()
  })
})
