import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { useCliFixture } from '../../test/cli-fixture.js'
import { cli, oneJsonObject } from '../../test/cli-harness.js'
import { sharedSourcePasswordEstimator } from '../../test/password-estimator.js'
import { DIALECTS } from '../../test/test-database.js'
import { createTessera, type Tessera } from '../app/tessera.js'
import { loadConfig } from '../config/load-config.js'
import { CONSOLE_CLIENT_ID } from '../console/console-client.js'
import { sha256 } from '../shared/digest.js'
import type { RandomSource } from '../shared/random.js'

const API = 'https://api.example.test'

interface PresentedApi {
  id: string
  identifier: string
  name: string
  mode: string
  accessTokenTtl: number
  scopes: string[]
}

interface PresentedApp {
  clientId: string
  name: string
  type: string
  grants: string[]
  redirectUris: string[]
  apis: string[]
  scopes: string[]
  firstParty: boolean
  postLogoutRedirectUris: string[]
}

/** The applications a test made: every list also holds the built-in console client (migration 0008). */
function ownApps(listed: unknown): PresentedApp[] {
  return (listed as PresentedApp[]).filter((app) => app.clientId !== CONSOLE_CLIENT_ID)
}

interface PresentedKey {
  kid: string
  alg: string
  state: string
  activatesAt: string | null
}

for (const dialect of DIALECTS) {
  describe(`tessera CLI: apis, apps and keys on ${dialect}`, () => {
    const fixture = useCliFixture(dialect)
    const { ok, refused } = fixture
    const opened: Tessera[] = []

    afterEach(async () => {
      for (const tessera of opened.splice(0)) await tessera.close()
    })

    /** Tessera on the same database (and master key) as the CLI, for what the CLI cannot do itself. */
    async function openTessera(): Promise<Tessera> {
      const tessera = await createTessera(
        loadConfig({ env: fixture.env, overrides: { logLevel: 'silent', issuer: 'https://id.example.test' } }),
        { passwordEstimator: sharedSourcePasswordEstimator() },
      )
      opened.push(tessera)
      return tessera
    }

    async function createApi(identifier = API, ...extra: string[]): Promise<PresentedApi> {
      const body = await ok([
        'apis',
        'create',
        '--identifier',
        identifier,
        '--name',
        'Orders',
        '--mode',
        'jwt',
        '--scopes',
        'a,b',
        ...extra,
      ])
      return body.api as PresentedApi
    }

    async function createApp(...options: string[]): Promise<{ clientId: string; clientSecret?: string; application: PresentedApp }> {
      return (await ok(['apps', 'create', ...options])) as { clientId: string; clientSecret?: string; application: PresentedApp }
    }

    async function listKeys(): Promise<PresentedKey[]> {
      return (await ok(['keys', 'list'])).keys as PresentedKey[]
    }

    async function clientCredentials(tessera: Tessera, clientId: string, secret: string) {
      const app = await tessera.app()
      return app.inject({
        method: 'POST',
        url: '/oauth/token',
        headers: {
          authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        payload: new URLSearchParams({ grant_type: 'client_credentials', resource: API }).toString(),
      })
    }

    describe('apis', () => {
      /** APIs an operator registered: every list also holds the built-in urn:tessera:admin (migration 0006). */
      const ownApis = async () =>
        ((await ok(['apis', 'list'])).apis as PresentedApi[]).filter((api) => api.identifier !== 'urn:tessera:admin')

      it('apis create --json prints one object with the new API', async () => {
        const body = await ok(['apis', 'create', '--identifier', API, '--name', 'Orders', '--mode', 'jwt', '--scopes', 'a,b'])
        expect(Object.keys(body)).toEqual(['api'])
        const api = body.api as PresentedApi
        expect(api).toMatchObject({ identifier: API, name: 'Orders', mode: 'jwt', scopes: ['a', 'b'] })
        expect(api.id).toMatch(/^api_/)
        expect(api.accessTokenTtl).toBeGreaterThan(0)
      })

      it('apis create refuses a second API with the same identifier with api_exists', async () => {
        await createApi()
        expect(await refused(['apis', 'create', '--identifier', API, '--name', 'Again', '--mode', 'hybrid'])).toEqual({
          code: 1,
          error: 'api_exists',
        })
        expect((await ownApis()).map((api) => api.name)).toEqual(['Orders'])
      })

      it('apis create exits 2 for an unknown mode, before creating anything', async () => {
        expect(await refused(['apis', 'create', '--identifier', API, '--name', 'Orders', '--mode', 'opaque'])).toEqual({
          code: 2,
          error: 'usage',
        })
        expect(await refused(['apis', 'create', '--identifier', API, '--name', 'Orders'])).toEqual({ code: 2, error: 'usage' })
        expect(await ownApis()).toEqual([])
      })

      it('apis create refuses an identifier that is not an absolute URI, or has a fragment, with invalid_request', async () => {
        for (const identifier of ['orders', `${API}#frag`]) {
          expect(await refused(['apis', 'create', '--identifier', identifier, '--name', 'Orders', '--mode', 'jwt'])).toEqual({
            code: 1,
            error: 'invalid_request',
          })
        }
      })

      it('apis list --json lists every API; apis delete removes one', async () => {
        await createApi()
        await createApi('https://billing.example.test')
        const listed = await ownApis()
        expect(listed.map((api) => api.identifier).sort()).toEqual([API, 'https://billing.example.test'].sort())

        expect(await ok(['apis', 'delete', API])).toEqual({ deleted: API })
        expect((await ownApis()).map((api) => api.identifier)).toEqual(['https://billing.example.test'])
        expect(await refused(['apis', 'delete', API])).toEqual({ code: 1, error: 'api_not_found' })
      })
    })

    describe('apps', () => {
      it('apps create --json prints exactly clientId, clientSecret and the application for a web app', async () => {
        await createApi()
        const body = await ok([
          'apps',
          'create',
          '--name',
          'W',
          '--type',
          'web',
          '--grants',
          'token_exchange,refresh_token',
          '--api',
          API,
          '--scopes',
          'a',
        ])
        expect(Object.keys(body).sort()).toEqual(['application', 'clientId', 'clientSecret'])
        expect(typeof body.clientId).toBe('string')
        // At least 256 random bits.
        expect(Buffer.from(body.clientSecret as string, 'base64url').length).toBeGreaterThanOrEqual(32)
        const application = body.application as PresentedApp
        expect(application).toMatchObject({
          clientId: body.clientId,
          name: 'W',
          type: 'web',
          apis: [API],
          scopes: ['a'],
        })
        expect([...application.grants].sort()).toEqual(['refresh_token', 'urn:ietf:params:oauth:grant-type:token-exchange'])
        expect(JSON.stringify(application)).not.toContain(body.clientSecret as string)

        const tessera = await openTessera()
        const stored = await tessera.services.applications.get(body.clientId as string)
        expect(tessera.services.applications.secretMatches(stored, body.clientSecret as string)).toBe(true)
      })

      it('apps create prints no secret for a public (spa or native) app', async () => {
        await createApi()
        for (const type of ['spa', 'native']) {
          const body = await createApp('--name', type, '--type', type, '--grants', 'token_exchange,refresh_token', '--api', API)
          expect(Object.keys(body).sort()).toEqual(['application', 'clientId'])
        }
      })

      it('apps create refuses a grant the type may not hold with invalid_request', async () => {
        await createApi()
        for (const misuse of [
          ['--type', 'm2m', '--grants', 'authorization_code'],
          ['--type', 'spa', '--grants', 'client_credentials'],
          ['--type', 'web', '--grants', 'password'],
        ]) {
          expect(await refused(['apps', 'create', '--name', 'X', ...misuse, '--api', API]), misuse.join(' ')).toEqual({
            code: 1,
            error: 'invalid_request',
          })
        }
        expect(ownApps((await ok(['apps', 'list'])).applications)).toEqual([])
      })

      it('apps create refuses an unknown API with api_not_found', async () => {
        await createApi()
        expect(await refused(['apps', 'create', '--name', 'X', '--type', 'm2m', '--api', 'https://nowhere.example.test'])).toEqual({
          code: 1,
          error: 'api_not_found',
        })
        expect(ownApps((await ok(['apps', 'list'])).applications)).toEqual([])
      })

      it('apps create refuses a redirect URI with a fragment or a wildcard with invalid_request', async () => {
        for (const uri of ['https://app.example.test/cb#x', 'https://*.example.test/cb', 'https://app.example.test/*', 'not a uri']) {
          expect(await refused(['apps', 'create', '--name', 'X', '--type', 'web', '--redirect-uris', uri]), uri).toEqual({
            code: 1,
            error: 'invalid_request',
          })
        }
        const body = await createApp('--name', 'X', '--type', 'web', '--redirect-uris', 'https://app.example.test/cb')
        expect(body.application.redirectUris).toEqual(['https://app.example.test/cb'])
      })

      it('apps create --first-party --post-logout-redirect-uri registers a browser-flow app; the defaults are third-party and none', async () => {
        const body = await createApp(
          '--name',
          'Site',
          '--type',
          'web',
          '--redirect-uris',
          'https://app.example.test/cb',
          '--first-party',
          '--post-logout-redirect-uri',
          'https://app.example.test/,https://app.example.test/bye',
        )
        expect(body.application).toMatchObject({
          firstParty: true,
          postLogoutRedirectUris: ['https://app.example.test/', 'https://app.example.test/bye'],
          grants: ['authorization_code', 'refresh_token'],
        })
        const tessera = await openTessera()
        const stored = await tessera.services.applications.get(body.clientId as string)
        expect(stored.firstParty).toBe(true)
        expect(stored.postLogoutRedirectUris).toEqual(['https://app.example.test/', 'https://app.example.test/bye'])
        const plain = await createApp('--name', 'Other', '--type', 'spa', '--redirect-uris', 'https://spa.example.test/cb')
        expect(plain.application).toMatchObject({ firstParty: false, postLogoutRedirectUris: [] })
        expect(
          await refused(['apps', 'create', '--name', 'X', '--type', 'web', '--post-logout-redirect-uri', 'https://app.example.test/#x']),
        ).toEqual({ code: 1, error: 'invalid_request' })
      })

      it('apps create --web-origins and apps update set the origins a page may call from; "default" restores the default', async () => {
        const spa = await createApp('--name', 'S', '--type', 'spa', '--redirect-uris', 'https://spa.example.test/cb')
        expect(spa.application).toMatchObject({ webOrigins: null, allowedWebOrigins: ['https://spa.example.test'] })
        const web = await createApp('--name', 'W', '--type', 'web', '--web-origins', 'https://a.example.test, http://localhost:5173')
        expect(web.application).toMatchObject({
          webOrigins: ['https://a.example.test', 'http://localhost:5173'],
          allowedWebOrigins: ['https://a.example.test', 'http://localhost:5173'],
        })

        const update = async (...args: string[]) => (await ok(['apps', 'update', spa.clientId, ...args])) as { application: PresentedApp }
        expect((await update('--web-origins', 'https://b.example.test')).application).toMatchObject({
          webOrigins: ['https://b.example.test'],
          allowedWebOrigins: ['https://b.example.test'],
        })
        expect((await update('--web-origins', 'default')).application).toMatchObject({
          webOrigins: null,
          allowedWebOrigins: ['https://spa.example.test'],
        })
        for (const origin of ['https://spa.example.test/', 'http://spa.example.test', 'https://*.example.test']) {
          expect(await refused(['apps', 'create', '--name', 'X', '--type', 'spa', '--web-origins', origin]), origin).toEqual({
            code: 1,
            error: 'invalid_request',
          })
          expect(await refused(['apps', 'update', spa.clientId, '--web-origins', origin]), origin).toEqual({
            code: 1,
            error: 'invalid_request',
          })
        }
        expect(await refused(['apps', 'create', '--name', 'X', '--type', 'm2m', '--web-origins', 'https://a.example.test'])).toEqual({
          code: 1,
          error: 'invalid_request',
        })
        expect(await refused(['apps', 'update', spa.clientId])).toEqual({ code: 2, error: 'usage' })
        const tessera = await openTessera()
        expect((await tessera.services.applications.get(spa.clientId)).webOrigins).toBeNull()
      })

      it('apps create --backchannel-logout-uri registers a back-channel logout endpoint; apps update --backchannel-logout-uri none removes it', async () => {
        const web = await createApp(
          '--name',
          'W',
          '--type',
          'web',
          '--backchannel-logout-uri',
          'https://rp.example.test/logout',
          '--backchannel-logout-session-required',
        )
        expect(web.application).toMatchObject({
          backchannelLogoutUri: 'https://rp.example.test/logout',
          backchannelLogoutSessionRequired: true,
        })
        const removed = (await ok(['apps', 'update', web.clientId, '--backchannel-logout-uri', 'none'])) as { application: PresentedApp }
        expect(removed.application).toMatchObject({ backchannelLogoutUri: null, backchannelLogoutSessionRequired: true })
        for (const uri of ['http://rp.example.test/logout', 'https://rp.example.test/#x']) {
          expect(await refused(['apps', 'update', web.clientId, '--backchannel-logout-uri', uri]), uri).toEqual({
            code: 1,
            error: 'invalid_request',
          })
        }
      })

      it('apps create exits 2 for an unknown type', async () => {
        expect(await refused(['apps', 'create', '--name', 'X', '--type', 'desktop'])).toEqual({ code: 2, error: 'usage' })
      })

      it('apps list --json shows every app and never a secret or its hash', async () => {
        await createApi()
        const web = await createApp('--name', 'W', '--type', 'web', '--grants', 'token_exchange,refresh_token', '--api', API)
        const m2m = await createApp('--name', 'M', '--type', 'm2m', '--api', API, '--scopes', 'a')
        const spa = await createApp('--name', 'S', '--type', 'spa', '--grants', 'refresh_token', '--api', API)

        const result = await cli(fixture.env, ['apps', 'list', '--json'])
        expect(result.code, result.stderr).toBe(0)
        const listed = oneJsonObject(result.stdout).applications as PresentedApp[]
        expect(
          ownApps(listed)
            .map((app) => app.clientId)
            .sort(),
        ).toEqual([web.clientId, m2m.clientId, spa.clientId].sort())
        for (const secret of [web.clientSecret, m2m.clientSecret] as string[]) {
          expect(result.stdout).not.toContain(secret)
          expect(result.stdout).not.toContain(sha256(secret))
        }
        expect(result.stdout).not.toMatch(/secret|hash/i)
      })

      it('apps rotate-secret --json gives a new secret, and the old one stops working at once', async () => {
        await createApi()
        const created = await createApp('--name', 'M', '--type', 'm2m', '--api', API, '--scopes', 'a')
        const oldSecret = created.clientSecret as string
        const tessera = await openTessera()
        expect((await clientCredentials(tessera, created.clientId, oldSecret)).statusCode).toBe(200)

        const body = await ok(['apps', 'rotate-secret', created.clientId])
        expect(Object.keys(body).sort()).toEqual(['clientId', 'clientSecret'])
        expect(body.clientId).toBe(created.clientId)
        const newSecret = body.clientSecret as string
        expect(newSecret).not.toBe(oldSecret)

        const stored = await tessera.services.applications.get(created.clientId)
        expect(tessera.services.applications.secretMatches(stored, oldSecret)).toBe(false)
        expect(tessera.services.applications.secretMatches(stored, newSecret)).toBe(true)
        const withNew = await clientCredentials(tessera, created.clientId, newSecret)
        expect(withNew.statusCode).toBe(200)
        expect(withNew.json()).toMatchObject({ token_type: 'Bearer' })
        const withOld = await clientCredentials(tessera, created.clientId, oldSecret)
        expect(withOld.statusCode).toBe(401)
        expect(withOld.json()).toMatchObject({ error: 'invalid_client' })
      })

      it('apps rotate-secret refuses a public app with invalid_request and an unknown one with application_not_found', async () => {
        await createApi()
        const spa = await createApp('--name', 'S', '--type', 'spa', '--grants', 'refresh_token', '--api', API)
        expect(await refused(['apps', 'rotate-secret', spa.clientId])).toEqual({ code: 1, error: 'invalid_request' })
        expect(await refused(['apps', 'rotate-secret', 'no-such-client'])).toEqual({ code: 1, error: 'application_not_found' })
      })

      it('apps rotate-secret and apps delete take a client id that starts with a dash (issue 3: one id in 64 does)', async () => {
        await createApi()
        // Client ids are base64url: make this one start with '-' (0xF8 encodes as '-').
        const dashing: RandomSource = {
          bytes: (length) => {
            const bytes = randomBytes(length)
            if (length === 16) bytes[0] = 0xf8
            return bytes
          },
        }
        const tessera = await createTessera(loadConfig({ env: fixture.env, overrides: { logLevel: 'silent' } }), {
          random: dashing,
          passwordEstimator: sharedSourcePasswordEstimator(),
        })
        opened.push(tessera)
        const { application } = await tessera.services.applications.create({ name: 'M', type: 'm2m', apis: [API] }, { kind: 'cli' })
        expect(application.id.startsWith('-')).toBe(true)

        const rotated = await ok(['apps', 'rotate-secret', application.id])
        expect(rotated.clientId).toBe(application.id)
        // The option may come before the id, too.
        const deleted = await cli(fixture.env, ['apps', 'delete', '--json', application.id])
        expect(deleted.code, deleted.stderr).toBe(0)
        expect(oneJsonObject(deleted.stdout)).toEqual({ deleted: application.id })
        expect(await refused(['apps', 'delete', application.id])).toEqual({ code: 1, error: 'application_not_found' })
      })

      it('apps delete --json deletes the app, and it can no longer get tokens', async () => {
        await createApi()
        const created = await createApp('--name', 'M', '--type', 'm2m', '--api', API)
        const other = await createApp('--name', 'N', '--type', 'm2m', '--api', API)
        expect(await ok(['apps', 'delete', created.clientId])).toEqual({ deleted: created.clientId })
        expect(ownApps((await ok(['apps', 'list'])).applications).map((app) => app.clientId)).toEqual([other.clientId])
        expect(await refused(['apps', 'delete', created.clientId])).toEqual({ code: 1, error: 'application_not_found' })

        const tessera = await openTessera()
        expect((await clientCredentials(tessera, created.clientId, created.clientSecret as string)).statusCode).toBe(401)
      })
    })

    describe('keys', () => {
      it('keys list --json shows one active key', async () => {
        const keys = await listKeys()
        expect(keys).toHaveLength(1)
        expect(keys[0]).toMatchObject({ alg: 'ES256', state: 'active' })
        // Listing again creates nothing new.
        expect((await listKeys()).map((key) => key.kid)).toEqual(keys.map((key) => key.kid))
      })

      it('keys rotate --json publishes a next key that signs later; the active key keeps signing', async () => {
        const [active] = await listKeys()
        const body = await ok(['keys', 'rotate'])
        expect(Object.keys(body)).toEqual(['key'])
        const key = body.key as PresentedKey
        expect(key.state).toBe('next')
        expect(Date.parse(key.activatesAt as string)).toBeGreaterThan(Date.now())

        const keys = await listKeys()
        expect(keys.find((each) => each.kid === active?.kid)?.state).toBe('active')
        expect(keys.find((each) => each.kid === key.kid)?.state).toBe('next')
        const tessera = await openTessera()
        expect((await tessera.services.keys.jwks()).keys.map((jwk) => jwk.kid).sort()).toEqual([active?.kid, key.kid].sort())
        expect((await tessera.services.keys.signer()).kid).toBe(active?.kid)
      })

      it('keys rotate --now --json makes the new key sign at once and retires the old one', async () => {
        const [active] = await listKeys()
        const key = (await ok(['keys', 'rotate', '--now'])).key as PresentedKey
        expect(key.state).toBe('active')
        expect(key.kid).not.toBe(active?.kid)
        const keys = await listKeys()
        expect(keys.find((each) => each.kid === active?.kid)?.state).toBe('retired')
        const tessera = await openTessera()
        expect((await tessera.services.keys.signer()).kid).toBe(key.kid)
      })

      it('keys revoke <kid> --json revokes the key, unpublishes it and puts a new key in its place', async () => {
        const [active] = await listKeys()
        const key = (await ok(['keys', 'revoke', active?.kid as string])).key as PresentedKey
        expect(key).toMatchObject({ kid: active?.kid, state: 'revoked' })

        const keys = await listKeys()
        expect(keys.find((each) => each.kid === active?.kid)?.state).toBe('revoked')
        const replacement = keys.find((each) => each.state === 'active')
        expect(replacement?.kid).toBeDefined()
        expect(replacement?.kid).not.toBe(active?.kid)
        const tessera = await openTessera()
        expect((await tessera.services.keys.jwks()).keys.map((jwk) => jwk.kid)).toEqual([replacement?.kid])
        const log = await tessera.stores.revocations.listAfter(0, 100)
        expect(log.map((entry) => entry.entry)).toContainEqual({ kind: 'key', kid: active?.kid })
      })

      it('keys revoke of an unknown or already revoked kid exits 1 with key_not_found', async () => {
        const [active] = await listKeys()
        expect(await refused(['keys', 'revoke', 'no-such-kid'])).toEqual({ code: 1, error: 'key_not_found' })
        await ok(['keys', 'revoke', active?.kid as string])
        expect(await refused(['keys', 'revoke', active?.kid as string])).toEqual({ code: 1, error: 'key_not_found' })
      })

      it('keys revoke takes a kid that starts with a dash, as a kid (RFC 7638 thumbprints are base64url)', async () => {
        await listKeys()
        expect(await refused(['keys', 'revoke', '-8aBcD_no-such-kid'])).toEqual({ code: 1, error: 'key_not_found' })
      })

      it('keys revoke exits 2 without a kid, or with an unknown option', async () => {
        expect(await refused(['keys', 'revoke'])).toEqual({ code: 2, error: 'usage' })
        expect(await refused(['keys', 'revoke', 'kid', '-x'])).toEqual({ code: 2, error: 'usage' })
        expect(await refused(['keys', 'revoke', 'kid', '--force'])).toEqual({ code: 2, error: 'usage' })
      })
    })
  })
}
