// Child process: drives N refresh-token chains for a fixed time and prints { rps, p50, p99 }.
const { url, authorization, tokens, seconds } = JSON.parse(process.argv[2])
const latencies = []
const deadline = performance.now() + seconds * 1000
await Promise.all(
  tokens.map(async (start) => {
    let token = start
    while (performance.now() < deadline) {
      const started = performance.now()
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }).toString(),
      })
      const body = await response.json()
      if (response.status !== 200) throw new Error(`refresh failed: ${response.status} ${JSON.stringify(body)}`)
      latencies.push(performance.now() - started)
      token = body.refresh_token
    }
  }),
)
latencies.sort((a, b) => a - b)
const at = (p) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))])
process.stdout.write(JSON.stringify({ rps: latencies.length / seconds, p50: at(0.5), p99: at(0.99) }))
