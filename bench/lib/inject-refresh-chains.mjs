// Refresh-token rotations through the app in this process (Fastify's inject: the hooks, client
// authentication, the form parser, the grant's transaction and its group commit, signing and
// serialisation; not the socket), by `chains` chains as the issuance suite drives them, each
// presenting the token the previous rotation returned. For the in-process refresh tools
// (callgrind-refresh, alloc-refresh, ab-refresh-inject).
import { exchange, form, refreshFixture, startTessera } from './harness.mjs'
import { runChains } from './run-chains.mjs'

const RESOURCE = 'https://api.example.com'

/** Starts Tessera from `dist` (or this checkout), signs a user in, and returns `run(total)`: `total` rotations. */
export async function injectRefreshChains({ dist, chains: count = 20 } = {}) {
  const server = await startTessera({ dist })
  const { tessera, address } = server
  tessera.services.configCache.enable()
  const { authorization, sessionToken } = await refreshFixture(tessera, address, RESOURCE)
  const app = await tessera.app()
  const chains = []
  for (let i = 0; i < count; i++) chains.push((await exchange(address, authorization, sessionToken, RESOURCE)).refresh_token)

  async function rotate(chain) {
    const response = await app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { ...form, authorization },
      payload: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: chains[chain] }).toString(),
    })
    if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}: ${response.body}`)
    chains[chain] = response.json().refresh_token
  }
  const run = (total) => runChains(chains.length, total, rotate)
  return { server, run }
}
