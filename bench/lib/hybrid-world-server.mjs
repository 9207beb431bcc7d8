// Child process of the SDK A/B tools (bench/tools/ab-sdk-hybrid-hook.mjs, ab-sdk-refusal.mjs),
// started with lib/child-server.mjs's startChild: one Tessera with a hybrid API, a web app, a
// resource server and a user granted the API's scope, and an access token of that user's session;
// with `signOut`, that session is then signed out, so the token is revoked by the feed. Tessera runs
// in a process of its own: its AsyncLocalStorage would otherwise put promise hooks on every await of
// the measured code, which a resource server does not have. Sends { port, issuer, audience, client,
// userId, token }; closes when the parent disconnects.
import { basic, CLI, exchange, grantReader, signUpUser, startTessera } from './harness.mjs'

const { signOut = false } = JSON.parse(process.argv[2] ?? '{}')
const audience = 'https://hybrid.example.test'

const server = await startTessera({ background: true })
const { tessera, issuer, address } = server
const apps = tessera.services.applications
await tessera.services.apis.create({ identifier: audience, name: 'hybrid', mode: 'hybrid', scopes: ['orders:read'] }, CLI)
const web = await apps.create({ name: 'web', type: 'web', grants: ['token_exchange'], apis: [audience], scopes: ['orders:read'] }, CLI)
const rs = await apps.create({ name: 'rs', type: 'resource-server', apis: [audience] }, CLI)
const { token: sessionToken, userId } = await signUpUser(address)
await grantReader(tessera, [audience], { users: [userId] })
const token = (await exchange(address, basic(web.application.id, web.clientSecret), sessionToken, audience)).access_token
if (signOut) {
  const out = await fetch(`${address}/v1/sign-out`, { method: 'POST', headers: { authorization: `Bearer ${sessionToken}` } })
  if (out.status !== 204) throw new Error(`sign-out ${out.status}`)
}
process.send({
  port: Number(new URL(address).port),
  issuer,
  audience,
  client: { id: rs.application.id, secret: rs.clientSecret },
  userId,
  token,
})
process.on('disconnect', async () => {
  await server.close()
  process.exit(0)
})
