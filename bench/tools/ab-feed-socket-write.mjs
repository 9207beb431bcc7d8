// The server's CPU per stream of a revocation fan-out, written the two ways in turn: through the
// response (Node's HTTP layer: cork, four queued writes, a writev on the next tick) and through
// revocation/feed-socket-sink.ts (one ready-made chunk, one write). `streams` feed-like chunked
// responses on real loopback sockets in this process; a child process holds the client ends and
// reads everything. Each round writes one event (~130 bytes, a revocation's size) to every stream
// one way and times this process's CPU from the first write to the end of the tick after the
// last (where the response's writes are made); rounds alternate the two ways.
// Usage: node bench/tools/ab-feed-socket-write.mjs [streams] [rounds]   (needs `npm run build`)
import { fork } from 'node:child_process'
import { createServer } from 'node:http'
import { loadavg } from 'node:os'
import { createChunkFraming, responseSink } from '../../packages/server/dist/revocation/feed-socket-sink.js'
import { spread } from '../lib/stats.mjs'

if (process.argv[2] === 'clients') {
  const { connect } = await import('node:net')
  const [port, count] = process.argv.slice(3).map(Number)
  for (let i = 0; i < count; i++) {
    const socket = connect(port, '127.0.0.1')
    socket.write('GET / HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n')
    socket.on('data', () => {})
  }
  process.on('disconnect', () => process.exit(0))
} else {
  const [streams = 500, rounds = 200] = process.argv.slice(2).map(Number)
  const chunkOf = createChunkFraming()
  const responses = []
  let opened = () => {}
  const allOpen = new Promise((resolve) => {
    opened = resolve
  })
  const server = createServer((_request, out) => {
    out.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store' })
    const direct = responseSink(out, chunkOf)
    if (direct === out) throw new Error('expected the socket path')
    responses.push({ out, direct })
    if (responses.length === streams) opened()
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const child = fork(new URL(import.meta.url).pathname, ['clients', String(server.address().port), String(streams)])
  await allOpen
  const event = (seq) =>
    Buffer.from(
      `event: revocation\nid: ${seq}\ndata: ${JSON.stringify({ seq, kind: 'session', sid: 'hghAGIu2bw-Ur789ekCUJw', createdAt: Date.now(), expiresAt: Date.now() + 3600000 })}\n\n`,
    )
  const perStream = { response: [], socket: [] }
  for (let round = 0; round < rounds; round++) {
    const way = round % 2 === 0 ? 'response' : 'socket'
    const frame = event(round)
    const cpu = process.cpuUsage()
    await new Promise((resolve) => {
      for (const { out, direct } of responses) (way === 'response' ? out : direct).write(frame)
      process.nextTick(resolve)
    })
    const { user, system } = process.cpuUsage(cpu)
    if (round >= 10) perStream[way].push((user + system) / streams)
    // Let the clients read it all before the next round.
    await new Promise((resolve) => setTimeout(resolve, 30))
  }
  const f = (s) => `${s.median.toFixed(2)} µs (${s.min.toFixed(2)}–${s.max.toFixed(2)})`
  const a = spread(perStream.response)
  const b = spread(perStream.socket)
  console.log(`${streams} streams, ${rounds - 10} rounds, load average ${loadavg()[0].toFixed(1)}`)
  console.log(`CPU per stream and event, through the response: ${f(a)}`)
  console.log(`CPU per stream and event, one chunk to the socket: ${f(b)}; ratio of medians ${(b.median / a.median).toFixed(2)}`)
  child.kill()
  server.closeAllConnections()
  server.close()
}
