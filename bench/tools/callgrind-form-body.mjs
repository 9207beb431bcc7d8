// Instructions per request of a small form POST against a GET, in bare Fastify over a real socket
// (issue 17 target 3, http/form-body.ts): this process serves (bare Fastify, one build's form parser
// on POST /form, GET /get as the control, both answering the same small JSON) and runs under
// callgrind; a child process it forks, which valgrind does not trace, sends the requests one at a
// time on one keep-alive connection, each in one write, so every request takes the same path
// through Node's parser and the stream (no batching of reads, unlike a load of 50 connections,
// whose CPU per request moves with the machine's load).
//   valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file=/tmp/f.out --instr-atstart=no \
//     node bench/tools/callgrind-form-body.mjs <dist> 5000 [form|get] [warm-up, 10000]
//   grep summary /tmp/f.out.1-01   (the main thread; the total / count = instructions per request)
// The form is introspection-sized: `token=` and 100 characters, with a Content-Length. Main-thread
// counts of one build differed by up to 2.5 % between runs (docs/architecture.md §9, "The form
// body stays on Fastify's reader"): run each build three times or more.
import { fork } from 'node:child_process'
import { connect } from 'node:net'
import { resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { callgrindWindow } from '../lib/callgrind-window.mjs'

const [dist, count = '5000', which = 'form', warmUp = '10000'] = process.argv.slice(2)

if (dist === 'client') {
  // The client: `count` requests of kind `which` per message, each after the previous answer.
  const { port, request } = JSON.parse(count)
  const socket = connect(port, '127.0.0.1')
  socket.setNoDelay(true)
  let pending = 0
  let received = ''
  let onIdle = () => {}
  socket.on('data', (chunk) => {
    received += chunk.toString('latin1')
    for (;;) {
      const head = received.indexOf('\r\n\r\n')
      if (head === -1) return
      const length = Number(/content-length: (\d+)/i.exec(received.slice(0, head))?.[1])
      if (received.length < head + 4 + length) return
      if (!received.startsWith('HTTP/1.1 200')) throw new Error(received.slice(0, head))
      received = received.slice(head + 4 + length)
      if (--pending > 0) socket.write(request)
      else onIdle()
    }
  })
  process.on('message', (n) => {
    pending = n
    onIdle = () => process.send('done')
    socket.write(request)
  })
} else {
  const { acceptFormBodiesOnly } = await import(pathToFileURL(resolve(dist, 'http/form-body.js')).href)
  const { default: Fastify } = await import('fastify')
  const app = Fastify({ logger: false })
  const answer = { active: true }
  app.get('/get', (_request, reply) => {
    reply.send(answer)
  })
  await app.register(async (forms) => {
    await acceptFormBodiesOnly(forms)
    forms.post('/form', (request, reply) => {
      if (typeof request.body?.token !== 'string') throw new Error('no token')
      reply.send(answer)
    })
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const body = `token=${'k'.repeat(100)}`
  const request =
    which === 'get'
      ? 'GET /get HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'
      : `POST /form HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body}`
  const client = fork(fileURLToPath(import.meta.url), ['client', JSON.stringify({ port: app.server.address().port, request })])
  const run = (n) =>
    new Promise((done) => {
      client.once('message', done)
      client.send(n)
    })
  await callgrindWindow(run, Number(count), Number(warmUp))
  client.kill()
  await app.close()
  process.exit(0)
}
