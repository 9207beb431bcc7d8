import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import { connect } from 'node:net'
import { Readable } from 'node:stream'
import Fastify from 'fastify'
import { describe, expect, it, type TestContext } from 'vitest'
import { acceptFormBodiesOnly } from './form-body.js'

// The form reader every form route shares (http/form-body.ts), on bare Fastify: what it hands the
// route, and how it refuses, for each way a body can arrive. Pinned in issue 17 before a reader of
// Tessera's own was measured against Fastify's (it bought nothing: docs/architecture.md §9), so any
// reader that replaces it must keep all of this. Errors are Fastify's own, asserted by code.

const FORM = 'application/x-www-form-urlencoded'
const LIMIT = 16 * 1024

async function formApp(onTestFinished: TestContext['onTestFinished'], preParsing?: (payload: Readable) => Readable) {
  const app = Fastify()
  onTestFinished(async () => {
    await app.close()
  })
  let handled = 0
  await app.register(async (forms) => {
    await acceptFormBodiesOnly(forms)
    if (preParsing) forms.addHook('preParsing', (_request, _reply, payload, done) => done(null, preParsing(payload)))
    forms.post('/echo', (request, reply) => {
      handled++
      reply.send({ ...(request.body as object) })
    })
  })
  return { app, handled: () => handled }
}

/** One form POST; `simulate` is light-my-request's: the body pushed in two parts, or a stream error after it. */
const post = (
  app: Awaited<ReturnType<typeof formApp>>['app'],
  payload: string | Buffer | Readable,
  headers: Record<string, string> = {},
  simulate: { split?: boolean; error?: boolean } = {},
) =>
  app.inject({
    method: 'POST',
    url: '/echo',
    headers: { 'content-type': FORM, ...headers },
    payload,
    simulate: { end: true, close: false, split: false, error: false, ...simulate },
  })

/** A stream of the given byte chunks, as a body that arrives in several reads. */
const chunks = (...parts: (string | Buffer)[]) => Readable.from(parts.map((part) => Buffer.from(part)))

describe('form bodies', () => {
  it('parses a form that arrives in one piece, in two, or in many, with and without a Content-Length', async ({ onTestFinished }) => {
    const { app } = await formApp(onTestFinished)
    expect((await post(app, 'token=abc&x=%2F')).json()).toEqual({ token: 'abc', x: '/' })
    expect((await post(app, 'token=abc&x=1', {}, { split: true })).json()).toEqual({ token: 'abc', x: '1' })
    const many = await post(app, chunks('tok', 'en=a', 'b', 'c&x=1'), { 'content-length': '13' })
    expect(many.statusCode, many.body).toBe(200)
    expect(many.json()).toEqual({ token: 'abc', x: '1' })
    expect((await post(app, chunks('token=a', 'bc'))).json()).toEqual({ token: 'abc' })
  })

  it('decodes the body as UTF-8 once it is whole, so a character split between two reads stays intact', async ({ onTestFinished }) => {
    const { app } = await formApp(onTestFinished)
    const bytes = Buffer.from('name=é€', 'utf8')
    // 'é' is two bytes and '€' three: split inside each of them.
    const split = await post(app, chunks(bytes.subarray(0, 6), bytes.subarray(6, 8), bytes.subarray(8)), {
      'content-length': String(bytes.length),
    })
    expect(split.json()).toEqual({ name: 'é€' })
    expect((await post(app, 'name=%C3%A9%E2%82%AC')).json()).toEqual({ name: 'é€' })
    // The media type is matched without regard to case or a charset parameter (Fastify's matching).
    const charset = await post(app, bytes, { 'content-type': `${FORM}; charset=UTF-8` })
    expect(charset.json()).toEqual({ name: 'é€' })
    expect((await post(app, bytes, { 'content-type': 'Application/X-WWW-Form-Urlencoded' })).json()).toEqual({ name: 'é€' })
  })

  it('hands an empty form to the route for an empty body', async ({ onTestFinished }) => {
    const { app, handled } = await formApp(onTestFinished)
    const empty = await post(app, '', { 'content-length': '0' })
    expect(empty.statusCode, empty.body).toBe(200)
    expect(empty.json()).toEqual({})
    expect((await post(app, chunks())).json()).toEqual({})
    expect(handled()).toBe(2)
  })

  it('takes a form of exactly 16 KiB and refuses one byte more with 413, by its Content-Length or as it arrives', async ({
    onTestFinished,
  }) => {
    const { app, handled } = await formApp(onTestFinished)
    const fill = (size: number) => `x=${'a'.repeat(size - 2)}`
    expect((await post(app, fill(LIMIT))).statusCode).toBe(200)
    expect((await post(app, chunks(fill(LIMIT / 2), fill(LIMIT / 2)))).statusCode).toBe(200)
    const tooLarge = async (response: Awaited<ReturnType<typeof post>>) => {
      expect(response.statusCode, response.body).toBe(413)
      expect(response.json().code).toBe('FST_ERR_CTP_BODY_TOO_LARGE')
    }
    await tooLarge(await post(app, fill(LIMIT + 1)))
    // Refused on the header alone, before any byte is read.
    await tooLarge(await post(app, 'x=1', { 'content-length': String(LIMIT + 1) }))
    // Without a Content-Length, refused once the bytes read pass the limit.
    await tooLarge(await post(app, chunks(fill(LIMIT / 2), fill(LIMIT / 2), 'a')))
    expect(handled()).toBe(2)
  })

  it('refuses a body shorter or longer than its Content-Length with 400', async ({ onTestFinished }) => {
    const { app, handled } = await formApp(onTestFinished)
    for (const declared of ['20', '5']) {
      const response = await post(app, chunks('token=', 'abc'), { 'content-length': declared })
      expect(response.statusCode, response.body).toBe(400)
      expect(response.json().code).toBe('FST_ERR_CTP_INVALID_CONTENT_LENGTH')
    }
    expect(handled()).toBe(0)
  })

  it('refuses a body whose stream fails, and never runs the route', async ({ onTestFinished }) => {
    const { app, handled } = await formApp(onTestFinished)
    const failed = await post(app, 'token=abc', {}, { error: true })
    expect(failed.statusCode, failed.body).toBe(400)
    const broken = new Readable({
      read() {
        this.push('token=a')
        this.destroy(Object.assign(new Error('upstream failed'), { statusCode: 502 }))
      },
    })
    // A stream error that carries its own 4xx/5xx status keeps it; any other is a 400.
    expect((await post(app, broken)).statusCode).toBe(502)
    expect(handled()).toBe(0)
  })

  it('drops a request whose connection closes mid-body, and serves the next one', async ({ onTestFinished }) => {
    const { app, handled } = await formApp(onTestFinished)
    await app.listen({ host: '127.0.0.1', port: 0 })
    const { port } = app.server.address() as AddressInfo
    await new Promise<void>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(`POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: ${FORM}\r\nContent-Length: 100\r\n\r\ntoken=abc`)
        setTimeout(() => socket.destroy(), 50)
      })
      socket.on('close', () => resolve())
      socket.on('error', reject)
    })
    const next = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest({ host: '127.0.0.1', port, path: '/echo', method: 'POST', headers: { 'content-type': FORM } }, (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk) => {
          body += chunk
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      })
      request.on('error', reject)
      request.end('token=xyz')
    })
    expect(next.status).toBe(200)
    expect(JSON.parse(next.body)).toEqual({ token: 'xyz' })
    expect(handled()).toBe(1)
  })

  it('reads what a preParsing hook returns: string chunks, and its encoded length against the limit', async ({ onTestFinished }) => {
    // The same nine bytes as sent, so the Content-Length check holds.
    const strings = await formApp(onTestFinished, () => Readable.from(['token=', 'xyz']))
    expect((await post(strings.app, 'token=abc')).json()).toEqual({ token: 'xyz' })
    // A decoding stream that reports more bytes received than the limit (a "zip bomb") is refused.
    const bomb = await formApp(onTestFinished, () =>
      Object.assign(Readable.from([Buffer.from('token=abc')]), { receivedEncodedLength: LIMIT + 1 }),
    )
    const refused = await post(bomb.app, 'token=abc')
    expect(refused.statusCode, refused.body).toBe(413)
    expect(bomb.handled()).toBe(0)
  })

  it('refuses JSON with 415: the plugin takes forms only', async ({ onTestFinished }) => {
    const { app } = await formApp(onTestFinished)
    const json = await post(app, '{"token":"abc"}', { 'content-type': 'application/json' })
    expect(json.statusCode).toBe(415)
    expect(json.json().code).toBe('FST_ERR_CTP_INVALID_MEDIA_TYPE')
  })
})
