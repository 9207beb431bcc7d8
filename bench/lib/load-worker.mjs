// Child process of lib/loader.mjs: runs one autocannon measurement per message.
import autocannon from 'autocannon'

// `authorizations`: a list of Authorization headers, one per request in turn across all connections
// (so the requests in flight at once carry different credentials), instead of one for every request.
// `bodies`: the same for request bodies (e.g. introspection of many tokens).
process.on('message', async ({ id, options: { authorizations, bodies, ...options } }) => {
  try {
    let next = 0
    const requests = (authorizations || bodies) && [
      {
        setupRequest: (request) => {
          const turn = next++
          return {
            ...request,
            ...(authorizations ? { headers: { ...request.headers, authorization: authorizations[turn % authorizations.length] } } : {}),
            ...(bodies ? { body: bodies[turn % bodies.length] } : {}),
          }
        },
      },
    ]
    const result = await autocannon({ ...options, ...(requests ? { requests } : {}), timeout: 10 })
    const bad = result.non2xx + result.errors + result.timeouts
    if (bad > 0)
      throw new Error(`${options.method} ${options.url}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`)
    const seconds = (result.finish - result.start) / 1000
    process.send({
      id,
      result: { rate: result.requests.total / seconds, total: result.requests.total, p50: result.latency.p50, p99: result.latency.p99 },
    })
  } catch (error) {
    process.send({ id, error: String(error?.message ?? error) })
  }
})
