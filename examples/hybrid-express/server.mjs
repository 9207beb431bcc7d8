// Runs the Orders API against a Tessera you started yourself (see README.md).
import { createVerifier } from '@tessera/sdk'
import { createOrdersApi } from './orders-api.mjs'

const required = (name) => {
  const value = process.env[name]
  if (!value) throw new Error(`set ${name} (see README.md)`)
  return value
}

const verifier = createVerifier({
  issuer: process.env.TESSERA_ISSUER ?? 'http://localhost:4000',
  audience: process.env.ORDERS_API_AUDIENCE ?? 'https://orders.example.test',
  mode: 'hybrid',
  client: { id: required('TESSERA_CLIENT_ID'), secret: required('TESSERA_CLIENT_SECRET') },
})
const port = Number(process.env.PORT ?? 3000)
const server = createOrdersApi(verifier).listen(port, () => process.stdout.write(`Orders API on http://localhost:${port}\n`))

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close()
    void verifier.close()
  })
}
