// Before/after of the password-strength estimate under concurrent sign-ups: two builds of the
// server (dist folders), each started afresh every round in a process of its own
// (ab-password-estimate-server.mjs), alternating which goes first. Per round and build: the RSS
// at idle and 1 s after the first sign-up (the estimator's dictionaries load with it), then
// `concurrency` clients each sending `perClient` sign-ups with 32-character random passwords
// while one more client sends GET /healthz one after another. Reported: the server's event-loop
// delay (monitorEventLoopDelay, 5 ms resolution: p99 and max), the sign-up latency, the latency of
// /healthz during the load (what every other request waits), the server's CPU per sign-up
// (/proc, all its threads, over a second load without the /healthz client) and any status other
// than 201. With `quietSeconds` (> 0): then, `restarts` times, a sign-up after that long without one
// (the thread ended by then if the build ends it when idle) and one right after it: their
// latency and the server's CPU for each (`coldSignUp`, `warmSignUp`, `coldCpuMs`, `warmCpuMs`),
// and the RSS just before the first (`quietRss`); then `restarts` sign-ups each sent `idleSeconds`
// (the build's quiet period: 5 s by default) −0.4 to +0.2 s after the previous answer, so that some
// arrive as the thread ends (its quiet period starts at the estimate, before the hash and the
// response); any that fails is counted in `refused`.
// Usage: node bench/tools/ab-password-estimate.mjs <dist-before> <dist-after> [rounds] [concurrency] [perClient] [quietSeconds] [restarts] [idleSeconds]
import { randomInt } from 'node:crypto'
import { loadavg } from 'node:os'
import { setTimeout as delay } from 'node:timers/promises'
import { processCpu } from '../lib/backend-cpu.mjs'
import { startChild } from '../lib/child-server.mjs'
import { percentile, spread } from '../lib/stats.mjs'

const [before, after, rounds = '5', concurrency = '8', perClient = '4', quietSeconds = '0', restarts = '3', idleSeconds = '5'] =
  process.argv.slice(2)
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!@#$%^&*-_'
const randomPassword = () => Array.from({ length: 32 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('')

function ask(child, message, key) {
  return new Promise((resolve) => {
    const on = (answer) => {
      if (key in answer) {
        child.off('message', on)
        resolve(answer)
      }
    }
    child.on('message', on)
    child.send(message)
  })
}

let serial = 0
async function signUp(address) {
  const started = performance.now()
  const response = await fetch(`${address}/v1/sign-up`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `bench${serial++}@example.com`, password: randomPassword(), transport: 'bearer' }),
  })
  await response.arrayBuffer()
  return { ms: performance.now() - started, status: response.status }
}

/** `concurrency` clients, each sending `perClient` sign-ups one after another. */
async function load(address) {
  const clients = Array.from({ length: Number(concurrency) }, async () => {
    const mine = []
    for (let k = 0; k < Number(perClient); k++) mine.push(await signUp(address))
    return mine
  })
  return (await Promise.all(clients)).flat()
}

/** A sign-up with the server's CPU for it (all threads, /proc; 10 ms ticks). */
async function timedSignUp(server) {
  const cpu = processCpu(server.pid)
  const result = await signUp(server.address)
  return { ...result, cpuMs: (processCpu(server.pid) - cpu) * 1000 }
}

/** Sign-ups after `quietSeconds` without one: cold (a fresh thread, if the build ends it) and warm. */
async function afterQuiet(server) {
  const quietMs = Number(quietSeconds) * 1000
  const cold = []
  const warm = []
  let quietRss
  for (let k = 0; k < Number(restarts); k++) {
    await delay(quietMs)
    quietRss ??= (await ask(server.child, 'rss', 'rss')).rss
    cold.push(await timedSignUp(server))
    warm.push(await timedSignUp(server))
  }
  // Sent around the moment the thread ends: none may fail.
  const racing = []
  for (let k = 0; k < Number(restarts); k++) {
    await delay(Number(idleSeconds) * 1000 - 400 + Math.random() * 600)
    racing.push(await signUp(server.address))
  }
  const median = (values) => spread(values).median
  return {
    signUps: [...cold, ...warm, ...racing],
    figures: {
      quietRss,
      coldSignUp: median(cold.map((r) => r.ms)),
      warmSignUp: median(warm.map((r) => r.ms)),
      coldCpuMs: median(cold.map((r) => r.cpuMs)),
      warmCpuMs: median(warm.map((r) => r.cpuMs)),
    },
  }
}

async function measure(dist) {
  const server = await startChild(new URL('./ab-password-estimate-server.mjs', import.meta.url).pathname, { dist })
  const child = server.child
  try {
    const first = await signUp(server.address)
    if (first.status !== 201) throw new Error(`first sign-up: ${first.status}`)
    await delay(1000)
    const { rss: firstRss } = await ask(child, 'rss', 'rss')
    await ask(child, 'reset', 'reset')
    let loading = true
    const health = []
    const probe = (async () => {
      while (loading) {
        const started = performance.now()
        await (await fetch(`${server.address}/healthz`)).arrayBuffer()
        health.push(performance.now() - started)
      }
    })()
    const results = await load(server.address)
    loading = false
    await probe
    const loopDelay = await ask(child, 'delay', 'p99')
    // CPU per sign-up from a second load without the probe: the probe's own requests are many more
    // where the event loop answers them at once, and would count as the sign-ups' CPU.
    const cpuBefore = processCpu(server.pid)
    const alone = await load(server.address)
    const cpu = processCpu(server.pid) - cpuBefore
    const quiet = Number(quietSeconds) > 0 ? await afterQuiet(server) : {}
    const latencies = results.map((r) => r.ms).sort((a, b) => a - b)
    health.sort((a, b) => a - b)
    return {
      idleRss: server.idleRss,
      firstRss,
      loopP99: loopDelay.p99,
      loopMax: loopDelay.max,
      signUpP50: percentile(latencies, 0.5),
      signUpP99: percentile(latencies, 0.99),
      healthP50: percentile(health, 0.5),
      healthP99: percentile(health, 0.99),
      probes: health.length,
      cpuMsPerSignUp: (cpu * 1000) / alone.length,
      ...quiet.figures,
      refused: [...results, ...alone, ...(quiet.signUps ?? [])].filter((r) => r.status !== 201).length,
    }
  } finally {
    await server.close()
  }
}

const builds = { before, after }
const samples = { before: [], after: [] }
console.log(
  `load average at start ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
)
for (let round = 0; round < Number(rounds); round++) {
  for (const name of round % 2 ? ['after', 'before'] : ['before', 'after']) {
    const result = await measure(builds[name])
    samples[name].push(result)
    console.log(
      `round ${round + 1}/${rounds} ${name}: ${Object.entries(result)
        .map(([k, v]) => `${k} ${v.toFixed(1)}`)
        .join(', ')}`,
    )
  }
}
console.log(
  `load average at end ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
)
const format = ({ median, min, max }) => `${median.toFixed(1)} (${min.toFixed(1)}–${max.toFixed(1)})`
for (const key of Object.keys(samples.before[0])) {
  console.log(
    `${key.padEnd(15)} before: ${format(spread(samples.before.map((s) => s[key])))}   after: ${format(spread(samples.after.map((s) => s[key])))}`,
  )
}
