import { afterEach, describe, expect, it } from 'vitest'
import { isTesseraAuthError, TesseraAuthError } from './tessera-auth-error.js'

const frames = (error: Error) => (error.stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at '))

describe('TesseraAuthError', () => {
  const limit = Error.stackTraceLimit
  afterEach(() => {
    Error.stackTraceLimit = limit
  })

  it('carries no stack frames when it refuses the request (4xx), keeping its name, message and cause', () => {
    const cause = new Error('underneath')
    const error = new TesseraAuthError('token_revoked', { detail: 'revoked by a session entry', cause })
    expect(frames(error)).toEqual([])
    expect(error.stack).toBe('TesseraAuthError: The access token has been revoked: revoked by a session entry')
    expect(error.cause).toBe(cause)
    expect(isTesseraAuthError(error, 'token_revoked')).toBe(true)
    for (const code of ['invalid_token', 'insufficient_scope', 'invalid_request'] as const) {
      expect(frames(new TesseraAuthError(code)), code).toEqual([])
    }
  })

  it('keeps its stack frames when the verifier fails (5xx)', () => {
    for (const code of ['verifier_unavailable', 'stale_revocation_feed', 'invalid_configuration'] as const) {
      expect(frames(new TesseraAuthError(code)).length, code).toBeGreaterThan(0)
    }
  })

  it('leaves Error.stackTraceLimit as it found it', () => {
    Error.stackTraceLimit = 3
    new TesseraAuthError('token_revoked')
    expect(Error.stackTraceLimit).toBe(3)
    expect(frames(new Error('after')).length).toBe(3)
  })

  it('leaves Error.stackTraceLimit as it found it when its detail cannot be made a string', () => {
    const detail = {
      toString() {
        throw new Error('no string')
      },
    } as unknown as string
    expect(() => new TesseraAuthError('token_revoked', { detail })).toThrow('no string')
    expect(Error.stackTraceLimit).toBe(limit)
  })

  it('still builds where Error.stackTraceLimit cannot be written (a locked-down realm), frames and all', () => {
    const descriptor = Object.getOwnPropertyDescriptor(Error, 'stackTraceLimit')
    Object.defineProperty(Error, 'stackTraceLimit', { value: 10, writable: false, configurable: true })
    try {
      const error = new TesseraAuthError('token_revoked')
      expect(error.code).toBe('token_revoked')
      expect(frames(error).length).toBeGreaterThan(0)
    } finally {
      if (descriptor) Object.defineProperty(Error, 'stackTraceLimit', descriptor)
    }
  })
})
