import type { AddressInfo } from 'node:net'
import express from 'express'
import Fastify from 'fastify'
import { Hono } from 'hono'
import { onTestFinished } from 'vitest'
import { requireAuth as expressAuth } from '../src/express/require-auth.js'
import { requireAuth as fastifyAuth } from '../src/fastify/require-auth.js'
import { type AuthEnv, requireAuth as honoAuth } from '../src/hono/require-auth.js'
import type { BearerVerifier, RequireAuthOptions } from '../src/http/require-auth-options.js'

/**
 * One protected route (`GET /orders?page=2`, answering the subject) in each framework adapter,
 * closed when the test ends; `Send` makes a request with these headers.
 */
export type Send = (headers: Record<string, string>) => Promise<{ status: number; challenge: string | null; code: string | null }>

async function expressServer(verifier: BearerVerifier, options: RequireAuthOptions): Promise<Send> {
  const app = express()
  app.get('/orders', expressAuth(verifier, options), (req, res) => res.json({ subject: req.auth?.subject }))
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening))
  })
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return async (headers) => {
    const response = await fetch(`${base}/orders?page=2`, { headers })
    const body = (await response.json()) as { code?: string }
    return { status: response.status, challenge: response.headers.get('www-authenticate'), code: body.code ?? null }
  }
}

async function fastifyServer(verifier: BearerVerifier, options: RequireAuthOptions): Promise<Send> {
  const app = Fastify()
  app.get('/orders', { preHandler: fastifyAuth(verifier, options) }, async (request) => ({ subject: request.auth?.subject }))
  onTestFinished(() => app.close())
  return async (headers) => {
    const response = await app.inject({ method: 'GET', url: '/orders?page=2', headers })
    return {
      status: response.statusCode,
      challenge: (response.headers['www-authenticate'] as string) ?? null,
      code: response.json().code ?? null,
    }
  }
}

async function honoServer(verifier: BearerVerifier, options: RequireAuthOptions): Promise<Send> {
  const app = new Hono<AuthEnv>()
  app.get('/orders', honoAuth(verifier, options), (c) => c.json({ subject: c.get('auth').subject }))
  return async (headers) => {
    const response = await app.request('http://internal.local/orders?page=2', { headers })
    const body = (await response.json()) as { code?: string }
    return { status: response.status, challenge: response.headers.get('www-authenticate'), code: body.code ?? null }
  }
}

export const ADAPTERS = { express: expressServer, fastify: fastifyServer, hono: honoServer }
