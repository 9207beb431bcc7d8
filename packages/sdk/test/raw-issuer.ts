import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { onTestFinished } from 'vitest'
import type { VerifierOptions } from '../src/verifier/verifier-options.js'

/**
 * The two transports of the verifier's requests to the issuer (docs/sdk.md "The transport"):
 * node:http with the keep-alive agents the verifier owns when no fetch is given, the injected fetch
 * otherwise. Both keep one contract: the transport tests run each case on both.
 */
export const ISSUER_TRANSPORTS: [string, Partial<VerifierOptions>][] = [
  ['node:http (no fetch given)', {}],
  ['an injected fetch', { fetch: (input, init) => globalThis.fetch(input, init) }],
]

/** One request (an introspection, a session check) as the issuer received it, with the socket it came on. */
export interface ReceivedRequest {
  method: string
  path: string
  headers: IncomingMessage['headers']
  body: string
  socket: Socket
}

/**
 * An issuer on 127.0.0.1 whose answers (introspection, session check) are written by the test byte for byte
 * (status, headers, a body that never ends, a redirect), for the transport's contract. Discovery
 * is served by it; `introspectionUrl` may point elsewhere (a closed port, a TLS server).
 */
export interface RawIssuer {
  issuer: string
  /** What discovery advertises as `introspection_endpoint`; the plain-http one by default. */
  introspectionUrl: string
  /** Every request but discovery, in order of arrival. */
  requests: ReceivedRequest[]
  /** Writes the answer to any request but discovery; by default `{ "active": false }`. */
  answer: (res: ServerResponse, received: ReceivedRequest) => void
  /** Serve the same answers over TLS with this certificate; resolves to the https base URL. */
  serveTls(certificate: SelfSignedCertificate): Promise<string>
}

/** Start a raw issuer, closed with every connection when the test ends. */
export async function startRawIssuer(): Promise<RawIssuer> {
  const servers: Server[] = []
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const path = new URL(req.url ?? '/', raw.issuer).pathname
      if (path === '/.well-known/openid-configuration') {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ issuer: raw.issuer, jwks_uri: `${raw.issuer}/jwks`, introspection_endpoint: raw.introspectionUrl }))
        return
      }
      const received = { method: req.method ?? '', path, headers: req.headers, body: Buffer.concat(chunks).toString(), socket: req.socket }
      raw.requests.push(received)
      raw.answer(res, received)
    })
  }
  const listen = async (server: Server) => {
    servers.push(server)
    // Long enough that only the client can end an idle keep-alive connection during a test.
    server.keepAliveTimeout = 60_000
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    return (server.address() as AddressInfo).port
  }
  const port = await listen(createServer(handle))
  const raw: RawIssuer = {
    issuer: `http://127.0.0.1:${port}`,
    introspectionUrl: `http://127.0.0.1:${port}/oauth/introspect`,
    requests: [],
    answer: (res) => json(res, 200, { active: false }),
    async serveTls(certificate) {
      const tlsPort = await listen(createTlsServer({ key: certificate.key, cert: certificate.cert }, handle))
      return `https://127.0.0.1:${tlsPort}`
    },
  }
  onTestFinished(async () => {
    for (const server of servers) {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })
  return raw
}

/** Answer with a JSON body. */
export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}

/** Resolves when the socket has closed (at once if it already has). */
export function closed(socket: Socket): Promise<void> {
  if (socket.destroyed) return Promise.resolve()
  return new Promise((resolve) => socket.once('close', () => resolve()))
}

/** A port nothing listens on (it was just released). */
export async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

export interface SelfSignedCertificate {
  key: string
  cert: string
  /** The certificate's file, for NODE_EXTRA_CA_CERTS. */
  certPath: string
}

/** A self-signed P-256 certificate for 127.0.0.1, made by Debian's openssl; removed when the test ends. */
export function selfSignedCertificate(): SelfSignedCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'sdk-tls-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  const keyPath = join(dir, 'key.pem')
  const certPath = join(dir, 'cert.pem')
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      keyPath,
      '-out',
      certPath,
    ],
    { stdio: 'ignore' },
  )
  return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8'), certPath }
}
