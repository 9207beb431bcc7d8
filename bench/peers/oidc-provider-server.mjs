// Peer: node-oidc-provider with client_credentials issuing ES256 JWT access tokens (RFC 9068,
// through its resourceIndicators feature) for one resource, one confidential client
// (client_secret_basic), the default in-memory adapter. Tells its parent { port, client }.
import { exportJWK, generateKeyPair } from 'jose'
import Provider from 'oidc-provider'

const RESOURCE = 'https://api.example.com'
const { privateKey } = await generateKeyPair('ES256', { extractable: true })
const client = { client_id: 'job', client_secret: 'a-long-enough-client-secret-for-the-bench-0123456789' }
const provider = new Provider('http://127.0.0.1', {
  ttl: { ClientCredentials: 300 },
  cookies: { keys: ['bench-cookie-signing-key'] },
  jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'bench', alg: 'ES256', use: 'sig' }] },
  clients: [
    {
      ...client,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256',
    },
  ],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'orders:read',
        audience: RESOURCE,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'ES256' } },
      }),
    },
  },
})
provider.on('server_error', (_ctx, error) => console.error('oidc-provider server_error', error))
const server = provider.listen(0, '127.0.0.1')
await new Promise((resolve) => server.once('listening', resolve))
process.send({ port: server.address().port, client, resource: RESOURCE })
process.on('disconnect', () => server.close(() => process.exit(0)))
