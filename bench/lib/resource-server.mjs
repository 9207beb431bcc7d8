// Child process: the small resource server of the HTTP verification cases. Fastify, one route per
// case, each guarded by its own @tessera/sdk verifier (or not at all: the baseline).
// argv[2]: { routes: [{ path, verifier: VerifierOptions | null }], sdk?: string }. Tells its parent { port }.
// `sdk`: the folder of a built SDK (a copy of packages/sdk/dist, kept under the worktree so that it
// resolves `jose`) to load instead of the package, for an A/B of two builds
// (bench/tools/verify-http-rounds.mjs --sdk-b).
import { pathToFileURL } from 'node:url'
import Fastify from 'fastify'

const { routes, sdk } = JSON.parse(process.argv[2])
const { createVerifier } = await import(sdk ? pathToFileURL(`${sdk}/index.js`).href : '@tessera/sdk')
const { requireAuth } = await import(sdk ? pathToFileURL(`${sdk}/fastify/index.js`).href : '@tessera/sdk/fastify')
const app = Fastify({ logger: false })
const verifiers = []
for (const { path, verifier: options } of routes) {
  if (!options) {
    app.get(path, async () => ({ ok: true }))
    continue
  }
  const verifier = createVerifier(options)
  verifiers.push(verifier)
  app.get(path, { preHandler: requireAuth(verifier) }, async (request) => ({ ok: true, sub: request.auth?.subject }))
}
await Promise.all(verifiers.map((verifier) => verifier.ready()))
await app.listen({ port: 0, host: '127.0.0.1' })
process.send({ port: app.server.address().port })
process.on('disconnect', async () => {
  await Promise.all(verifiers.map((verifier) => verifier.close()))
  await app.close()
  process.exit(0)
})
