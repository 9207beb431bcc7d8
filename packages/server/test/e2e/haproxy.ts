import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { testTempDir } from '../test-database.js'

// HAProxy from Debian (`apt-get install haproxy`; .ci/run installs it) in front of Tessera
// instances on loopback, configured as docs/operations.md recommends: health checks on /readyz,
// a request whose instance went away without answering sent again to another instance, long-lived
// streams (the revocation feed) allowed.

export interface Balancer {
  /** `http://127.0.0.1:<port>` */
  base: string
  port: number
  /** The configuration it runs with, for failure messages. */
  config: string
  output(): string
  stop(): Promise<void>
}

const READY_DEADLINE_MS = 10_000

export function haproxyConfig(port: number, servers: readonly { name: string; port: number }[]): string {
  return `global
  maxconn 2000
  log stdout format raw local0

defaults
  mode http
  # Only the requests that went wrong or were retried are logged (output(), in failure messages).
  log global
  option httplog
  option dontlog-normal
  timeout connect 1s
  timeout client 30s
  timeout server 30s
  # The revocation feed is a stream that stays open for hours.
  timeout tunnel 1h
  # A request is sent again, to another instance, when its connection failed or closed before
  # any answer: a SIGKILLed instance's sockets stay open while the kernel frees its memory
  # (75-175 ms here), then reset the requests HAProxy wrote to them meanwhile, which HAProxy
  # would otherwise answer by closing the client's connection. Not on a timeout: a refresh sent
  # again after its grace period would be taken for a reuse (docs/operations.md).
  retries 3
  option redispatch 1
  retry-on conn-failure empty-response

frontend tessera
  bind 127.0.0.1:${port}
  option forwardfor
  default_backend instances

backend instances
  balance roundrobin
  option httpchk GET /readyz
  http-check expect status 200
  # Out after two failed checks 200 ms apart, back after two good ones.
  default-server inter 200ms fall 2 rise 2
  # Without it a check times out after \`inter\`: under heavy load (average 17-20) a healthy
  # instance answered /readyz in more than 200 ms, HAProxy took all three out ("Layer7 timeout",
  # "no server available") and answered requests 503 before any instance was killed. A killed
  # instance refuses the connection at once and a draining one answers 503, so neither detection
  # waits for this; it only decides when a slow answer counts as none, as long as the tests give
  # a request (call() in load-balancer.test.ts leaves that to \`timeout server\`).
  timeout check 30s
  # An Admin API POST that creates something (an application, a webhook endpoint) is never sent
  # twice; every other request is (docs/operations.md says why that is safe).
  http-request disable-l7-retry if METH_POST { path_beg /admin/ }
${servers.map((server) => `  server ${server.name} 127.0.0.1:${server.port} check`).join('\n')}
`
}

/** Throws a clear message when Debian's haproxy is not installed. */
export function requireHaproxy(): void {
  const probe = spawnSync('haproxy', ['-v'], { encoding: 'utf8' })
  if (probe.error || probe.status !== 0) throw new Error('haproxy is not installed: apt-get install -y haproxy (.ci/run does)')
}

/** Starts HAProxy in the foreground on `port` and waits until it routes /readyz to an instance. */
export async function startHaproxy(port: number, servers: readonly { name: string; port: number }[]): Promise<Balancer> {
  requireHaproxy()
  const dir = testTempDir('tessera-haproxy-')
  const config = haproxyConfig(port, servers)
  const file = join(dir, 'haproxy.cfg')
  writeFileSync(file, config)
  const child: ChildProcess = spawn('haproxy', ['-f', file, '-db'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8')
    })
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const base = `http://127.0.0.1:${port}`
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      await exited
    }
    rmSync(dir, { recursive: true, force: true })
  }
  const deadline = Date.now() + READY_DEADLINE_MS
  for (;;) {
    if (child.exitCode !== null) {
      await stop()
      throw new Error(`haproxy exited (${child.exitCode}):\n${output}`)
    }
    const ok = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(1_000) }).then(
      (response) => response.status === 200,
      () => false,
    )
    if (ok) break
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`haproxy did not route /readyz within ${READY_DEADLINE_MS} ms:\n${output}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return { base, port, config, output: () => output, stop }
}

/**
 * The requests HAProxy's log (`option httplog`) shows it sent more than once, as `METHOD path`:
 * its retries field (`actconn/feconn/beconn/srv_conn/retries`, `+` when redispatched) is not 0.
 */
export function retriedRequests(log: string): string[] {
  return log
    .split('\n')
    .filter((line) => / \d+\/\d+\/\d+\/\d+\/\+?[1-9]\d* \d+\/\d+ /.test(line))
    .map((line) => /"(\S+) (\S+)/.exec(line)?.slice(1, 3).join(' ') ?? line)
}
