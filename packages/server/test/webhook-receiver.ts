import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'

/** How the receiver answers one request. */
export type ReceiverReply =
  | { kind: 'status'; status: number; location?: string }
  /** Reads the request, then drops the connection without answering. */
  | { kind: 'close' }
  /** Reads the request and never answers (the sender's timeout must end it). */
  | { kind: 'hang' }

export const reply = {
  ok: { kind: 'status', status: 204 } as ReceiverReply,
  status: (status: number, location?: string): ReceiverReply => ({ kind: 'status', status, ...(location ? { location } : {}) }),
  close: { kind: 'close' } as ReceiverReply,
  hang: { kind: 'hang' } as ReceiverReply,
}

export interface ReceivedWebhook {
  method: string
  path: string
  headers: Record<string, string>
  body: string
}

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>` */
  origin: string
  port: number
  /** Every request, in arrival order. */
  received: ReceivedWebhook[]
  /** Queues replies for the next requests; once the queue is empty it answers 204. */
  willReply(...replies: ReceiverReply[]): void
  close(): Promise<void>
}

/** A real HTTP receiver on 127.0.0.1 (so only endpoints with the development allowance may reach it). */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = []
  const queue: ReceiverReply[] = []
  const server = createServer(async (request, response) => {
    const body = await readBody(request)
    received.push({ method: request.method ?? '', path: request.url ?? '', headers: flatHeaders(request), body })
    const next = queue.shift() ?? reply.ok
    if (next.kind === 'hang') return
    if (next.kind === 'close') {
      request.socket.destroy()
      return
    }
    response.writeHead(next.status, next.location ? { location: next.location } : {})
    response.end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    received,
    willReply: (...replies) => queue.push(...replies),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

function flatHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value
  }
  return headers
}
