import { describe, expect, it } from 'vitest'
import type { Api } from '../../apis/api.js'
import type { Application } from '../../applications/application.js'
import { accessTokenTtl } from './grant-policy.js'

const NOW = Date.parse('2026-01-01T00:00:00Z')
const api = { accessTokenTtl: 900 } as Api
const application = (accessTokenTtl: number | null) => ({ accessTokenTtl }) as Application

describe('the access-token lifetime of a grant', () => {
  it("takes the application's setting over the API's, never above the server's maximum", () => {
    expect(accessTokenTtl(application(null), api, 3600, null, NOW)).toBe(900)
    expect(accessTokenTtl(application(60), api, 3600, null, NOW)).toBe(60)
    expect(accessTokenTtl(application(7200), api, 3600, null, NOW)).toBe(3600)
  })

  it('never outlives the session it is bound to, and is at least one second', () => {
    expect(accessTokenTtl(application(null), api, 3600, NOW + 120_500, NOW)).toBe(120)
    expect(accessTokenTtl(application(null), api, 3600, NOW + 10_000_000, NOW)).toBe(900)
    expect(accessTokenTtl(application(null), api, 3600, NOW + 200, NOW)).toBe(1)
  })
})
