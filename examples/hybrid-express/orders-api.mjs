// The Orders API: an Express app whose routes @tessera/sdk protects. The verifier is passed in,
// so the same app runs in server.mjs (against your Tessera) and in demo.mjs.
import { requireAuth } from '@tessera/sdk/express'
import express from 'express'

/**
 * @param {import('@tessera/sdk').Verifier} verifier a hybrid verifier for this API's audience
 * @returns {import('express').Express}
 */
export function createOrdersApi(verifier) {
  const app = express()
  app.get('/orders', requireAuth(verifier, { scopes: ['orders:read'] }), (req, res) => {
    res.json({ user: req.auth?.subject, orders: [{ id: 'ord_1', total: 4200, currency: 'EUR' }] })
  })
  // Readiness: the keys are fetched and the revocation feed is live (not stale).
  app.get('/ready', async (_req, res) => {
    try {
      await verifier.ready()
      res.json({ feedStalenessMs: verifier.staleness() })
    } catch {
      res.sendStatus(503)
    }
  })
  return app
}
