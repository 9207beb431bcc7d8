// Runs the example app. Register it with Tessera first (see README.md), then:
//   OIDC_ISSUER=http://localhost:4000 OIDC_CLIENT_ID=… OIDC_CLIENT_SECRET=… node server.mjs
import { createOidcWebApp } from './oidc-web-app.mjs'

const appUrl = process.env.APP_URL ?? 'http://localhost:3000'
const { hostname, port } = new URL(appUrl)
const server = await createOidcWebApp({
  issuer: process.env.OIDC_ISSUER ?? 'http://localhost:4000',
  clientId: process.env.OIDC_CLIENT_ID ?? '',
  clientSecret: process.env.OIDC_CLIENT_SECRET ?? '',
  appUrl,
})
server.listen(Number(port || 80), hostname.replace(/^\[|\]$/g, ''), () => process.stdout.write(`Example app listening on ${appUrl}\n`))
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => server.close(() => process.exit(0)))
