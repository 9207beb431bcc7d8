// The SDK's CPU per revocation event and subscriber, as the 1,000-subscriber case meets it
// (bench/suites/revocation.mjs: child processes of 250 feeds, one event at a time), for several
// cases side by side. Each case is a child process holding `count` feeds (revocation/revocation-feed.js
// of an SDK dist, each with its own connection and revocation set) on a local event-stream server in
// this process, which writes each event to every stream of one child as the server does (one HTTP
// chunk, one socket write: packages/server/dist/revocation/feed-socket-sink.js). A round sends one
// batch of 20 events to each case in turn (the order rotates; an event once the last feed applied the
// one before, 2 ms apart) and reads the case's process CPU (user and system, process.cpuUsage, whose
// ticks are too coarse for one event) from just before the writes to its last feed's apply; the first
// round is left out (warm-up); no verifier checks run, so
// the figure is the feed's read path alone: socket, undici, web streams, decoding, parsing, the set.
// A case is name=dist:fetch, fetch one of
//   global    globalThis.fetch passed in, as a proxy-aware or test fetch would be,
//   tapped    globalThis.fetch with the body's reader wrapped as lib/revocation-subscribers.mjs does
//             (its tap, lib/tapped-fetch.mjs, to price it against `global`),
//   node-http a prototype FetchLike on node:http whose body reader is fed by the response's 'data'
//             events (no undici, no web stream): what a read path on a Node stream would save.
// Usage: node bench/tools/ab-sdk-feed-read.mjs [count] [rounds] case...   (needs `npm run build`)
//   e.g. node bench/tools/ab-sdk-feed-read.mjs 250 13 before=/tmp/sdk-before:global after=packages/sdk/dist:global
import { fork } from 'node:child_process'
import { createServer } from 'node:http'
import { loadavg } from 'node:os'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { spread } from '../lib/stats.mjs'
import { tappedFetch } from '../lib/tapped-fetch.mjs'

if (process.argv[2] === 'child') {
  const [, , , dist, port, count, fetchMode] = process.argv
  const load = (file) => import(pathToFileURL(resolve(dist, file)).href)
  const { startRevocationFeed } = await load('revocation/revocation-feed.js')
  const { createRevocationSet } = await load('revocation/revocation-set.js')
  const { systemClock } = await load('shared/clock.js')
  const fetches = {
    global: (url, init) => globalThis.fetch(url, init),
    tapped: tappedFetch(() => {}),
    'node-http': nodeHttpFetch,
  }
  let applied = 0
  let events = 0
  let batch = 1
  let cpu = process.cpuUsage()
  const feeds = Array.from({ length: Number(count) }, () => {
    const set = createRevocationSet()
    const apply = set.apply
    set.apply = (entry) => {
      apply(entry)
      applied += 1
      if (applied === Number(count)) {
        applied = 0
        events += 1
        if (events < batch) return process.send({ type: 'applied' })
        const { user, system } = process.cpuUsage(cpu)
        process.send({ type: 'done', user, system })
      }
    }
    return startRevocationFeed({
      url: async () => `http://127.0.0.1:${port}/v1/revocations`,
      authorization: 'Basic cnM6c2VjcmV0',
      fetch: fetches[fetchMode],
      clock: systemClock,
      set,
      connectTimeout: 30_000,
      idleTimeout: 600_000,
      reconnect: { initialDelay: 100, maxDelay: 1000, random: Math.random },
      onError: (error) => process.connected && process.send({ type: 'error', detail: error.detail }, () => {}),
    })
  })
  await Promise.all(feeds.map((feed) => feed.settled(30_000)))
  process.send({ type: 'ready' })
  process.on('message', (message) => {
    if (message.type === 'arm') {
      applied = 0
      events = 0
      batch = message.batch
      cpu = process.cpuUsage()
      process.send({ type: 'armed' })
    }
  })
  process.on('disconnect', () => process.exit(0))
} else {
  const [count = '250', rounds = '12', ...specs] = process.argv.slice(2)
  const BATCH = 20
  const { createChunkFraming } = await import('../../packages/server/dist/revocation/feed-socket-sink.js')
  const chunkOf = createChunkFraming()
  const cases = specs.map((spec) => {
    const [name, rest] = spec.split('=')
    const at = rest.lastIndexOf(':')
    return { name, dist: rest.slice(0, at), fetch: rest.slice(at + 1), sockets: [], user: [], system: [] }
  })
  let joining = null
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store' })
    response.flushHeaders()
    const snapshot = Buffer.from(`event: snapshot\nid: 0\ndata: {"seq":0,"serverTime":${Date.now()},"entries":[]}\n\n`)
    response.socket.write(chunkOf(snapshot))
    joining.sockets.push(response.socket)
  })
  await new Promise((done) => server.listen(0, '127.0.0.1', done))
  const { port } = server.address()
  const self = new URL(import.meta.url).pathname
  for (const one of cases) {
    joining = one
    one.child = fork(self, ['child', one.dist, String(port), count, one.fetch])
    one.next = (type) =>
      new Promise((done, fail) => {
        const listen = (message) => {
          if (message.type === 'error') return fail(new Error(`${one.name}: ${message.detail}`))
          if (message.type !== type) return
          one.child.off('message', listen)
          done(message)
        }
        one.child.on('message', listen)
      })
    await one.next('ready')
  }
  let seq = 0
  const entry = () => ({ seq, kind: 'session', sid: `hghAGIu2bw-Ur789ekC${seq}`, createdAt: Date.now(), expiresAt: Date.now() + 3_600_000 })
  for (let round = 0; round < Number(rounds); round++) {
    for (let i = 0; i < cases.length; i++) {
      const one = cases[(round + i) % cases.length]
      one.child.send({ type: 'arm', batch: BATCH })
      await one.next('armed')
      const done = one.next('done')
      for (let event = 0; event < BATCH; event++) {
        seq += 1
        const frame = Buffer.from(`event: revocation\nid: ${seq}\ndata: ${JSON.stringify(entry())}\n\n`)
        const applied = event < BATCH - 1 ? one.next('applied') : done
        for (const socket of one.sockets) socket.write(chunkOf(frame))
        await applied
        // A pause as between two sign-outs, so each event meets idle connections.
        await new Promise((later) => setTimeout(later, 2))
      }
      const { user, system } = await done
      // The first round warms the code up; it is left out.
      if (round >= 1) {
        one.user.push(user / Number(count) / BATCH)
        one.system.push(system / Number(count) / BATCH)
      }
    }
  }
  const f = (s) => `${s.median.toFixed(1)} (${s.min.toFixed(1)}–${s.max.toFixed(1)})`
  const total = (one) => one.user.map((user, i) => user + one.system[i])
  for (const one of cases) {
    const ratio = spread(total(one).map((t, i) => t / total(cases[0])[i]))
    console.log(
      `${one.name} (${one.fetch}): µs per feed and event, user+system ${f(spread(total(one)))}, user ${f(spread(one.user))}, system ${f(spread(one.system))}; ` +
        `/ ${cases[0].name} ${ratio.median.toFixed(2)} (${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)})`,
    )
  }
  console.log(
    `${Number(rounds) - 1} rounds of ${BATCH} events to ${count} feeds per case; load average ${loadavg()[0].toFixed(1)} at the end`,
  )
  for (const one of cases) one.child.disconnect()
  server.close()
  process.exit(0)
}

/** The prototype behind `node-http`: enough of a Response for the feed (status, headers, body.getReader, cancel). */
async function nodeHttpFetch(url, init) {
  const { request } = await import('node:http')
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { headers: init.headers, signal: init.signal }, (incoming) => {
      const queue = []
      let waiting = null
      let ended = false
      const settle = () => {
        if (!waiting) return
        const next = waiting
        if (queue.length > 0) {
          waiting = null
          next.resolve({ done: false, value: queue.shift() })
        } else if (ended) {
          waiting = null
          next.resolve({ done: true, value: undefined })
        }
      }
      incoming.on('data', (chunk) => {
        queue.push(chunk)
        settle()
      })
      incoming.on('end', () => {
        ended = true
        settle()
      })
      incoming.on('error', (error) => waiting?.reject(error))
      const cancel = async () => {
        ended = true
        incoming.destroy()
        settle()
      }
      const body = {
        getReader: () => ({
          read: () =>
            queue.length > 0
              ? Promise.resolve({ done: false, value: queue.shift() })
              : ended
                ? Promise.resolve({ done: true, value: undefined })
                : new Promise((resolve, reject) => {
                    waiting = { resolve, reject }
                  }),
          cancel,
          releaseLock: () => {},
        }),
        cancel,
      }
      const headers = new Headers(Object.entries(incoming.headers).filter(([, v]) => typeof v === 'string'))
      resolve({ ok: incoming.statusCode >= 200 && incoming.statusCode < 300, status: incoming.statusCode, headers, body })
    })
    outgoing.on('error', reject)
    outgoing.end()
  })
}
