import { expect, it } from 'vitest'
import { Browser } from '../../test/oidc-fixture.js'
import { createTestServer } from '../../test/test-server.js'

it('keeps the upstream’s code and our state secret out of the request log of the callback (issue 15)', async ({ onTestFinished }) => {
  const lines: string[] = []
  const server = await createTestServer({ logLines: lines })
  onTestFinished(() => server.close())
  const state = `${'F'.repeat(22)}.${'S'.repeat(43)}`
  await new Browser(server.app).get(`/oauth/callback/con_AAAAAAAAAAAAAAAAAAAAAA?code=upstream-code-123&state=${state}`)
  await new Browser(server.app).get('/oauth/authorize?client_id=nope&state=kept')
  const log = lines.join('\n')
  expect(log).toContain('/oauth/callback/con_AAAAAAAAAAAAAAAAAAAAAA?[redacted]')
  expect(log).not.toContain('upstream-code-123')
  expect(log).not.toContain('S'.repeat(43))
  // Other URLs are logged as they were.
  expect(log).toContain('/oauth/authorize?client_id=nope&state=kept')
})
