import { describe, expect, it } from 'vitest'
import { createTestServer } from '../../test/test-server.js'
import { CSRF_EXEMPTIONS } from './csrf-exemptions.js'

describe('the CSRF exemptions', () => {
  it('name only routes the app has, so none outlives the route it was written for', async ({ onTestFinished }) => {
    // The app starting at all is the other half: every other state-changing route declares its policy.
    const server = await createTestServer()
    onTestFinished(() => server.close())
    const routes = server.app.printRoutes({ commonPrefix: false })
    for (const exemption of CSRF_EXEMPTIONS) {
      if (exemption.url.endsWith('/*')) expect(routes, exemption.url).toContain(exemption.url.slice(0, -1))
      else expect(server.app.hasRoute({ method: exemption.method as 'POST', url: exemption.url }), exemption.url).toBe(true)
      expect(exemption.reason.length).toBeGreaterThan(20)
    }
  })
})
