import { createServer, type Server, type ServerResponse } from 'node:http'
import { connect, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createChunkFraming, httpChunk, responseSink } from './feed-socket-sink.js'
import type { FeedSink } from './feed-stream.js'

const frame = (text: string) => Buffer.from(text)

let server: Server | null = null
afterEach(async () => {
  server?.closeAllConnections()
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined))
  server = null
})

/** A node:http server whose one response is handed to `use` as a feed sink, its head written as the feed's route writes it. */
async function serve(use: (sink: FeedSink, out: ServerResponse) => void): Promise<number> {
  server = createServer((_request, out) => {
    out.writeHead(200, { 'content-type': 'text/event-stream' })
    use(responseSink(out, createChunkFraming()), out)
  })
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

/** Sends `request` on a raw socket and resolves with every byte the server sent until it closed. */
function exchange(port: number, request: string): Promise<string> {
  const socket = connect(port, '127.0.0.1')
  socket.write(request)
  let received = ''
  socket.on('data', (chunk) => {
    received += chunk.toString('latin1')
  })
  return new Promise((resolve) => socket.on('close', () => resolve(received)))
}

const bodyOf = (response: string) => response.slice(response.indexOf('\r\n\r\n') + 4)

describe('the socket sink of a feed stream', () => {
  it('frames an event as one HTTP/1.1 chunk: its size in hex, CRLF, the bytes, CRLF', () => {
    expect(httpChunk(frame('x'.repeat(300))).toString()).toBe(`12c\r\n${'x'.repeat(300)}\r\n`)
  })

  it('writes nothing for an empty frame: a chunk of size 0 would end the body (RFC 9112 §7.1)', () => {
    expect(httpChunk(Buffer.alloc(0))).toHaveLength(0)
  })

  it('writes a chunked body a client reads back whole, in order, ended by the response', async () => {
    const direct: boolean[] = []
    const port = await serve((sink, out) => {
      direct.push(sink !== out)
      sink.write(frame('event: a\n\n'))
      sink.cork()
      sink.write(frame('event: b\n\n'))
      sink.write(frame(`data: ${'y'.repeat(40)}\n\n`))
      sink.uncork()
      out.end()
    })
    const response = await exchange(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    expect(response).toMatch(/^HTTP\/1\.1 200 OK\r\n/)
    expect(response).toMatch(/\r\ntransfer-encoding: chunked\r\n/i)
    expect(direct).toEqual([true])
    expect(bodyOf(response)).toBe(`a\r\nevent: a\n\n\r\na\r\nevent: b\n\n\r\n30\r\ndata: ${'y'.repeat(40)}\n\n\r\n0\r\n\r\n`)
  })

  it('writes an unframed body to an HTTP/1.0 client, and no body in answer to a HEAD', async () => {
    const direct: boolean[] = []
    const port = await serve((sink, out) => {
      direct.push(sink !== out)
      sink.write(frame('event: a\n\n'))
      out.end()
    })
    expect(bodyOf(await exchange(port, 'GET / HTTP/1.0\r\nHost: x\r\n\r\n'))).toBe('event: a\n\n')
    expect(bodyOf(await exchange(port, 'HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'))).toBe('')
    expect(direct).toEqual([false, false])
  })

  it('counts what waits in the socket for a subscriber that reads nothing, so the backlog bound holds', async () => {
    let socket: Socket | null = null
    const counted: number[] = []
    const port = await serve((sink) => {
      const event = frame(`data: ${'z'.repeat(1000)}\n\n`)
      // Far more than the kernel's socket buffers take: the rest waits in Node's, and must be counted.
      for (let i = 0; i < 20_000; i++) sink.write(event)
      counted.push(sink.writableLength)
    })
    socket = connect(port, '127.0.0.1')
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    socket.pause()
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(counted).toHaveLength(1)
    socket.destroy()
    expect(counted[0]).toBeGreaterThan(10_000_000)
  })
})
