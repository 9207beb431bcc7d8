import { statSync } from 'node:fs'
import { sql } from 'kysely'
import { expect, it } from 'vitest'
import { createApi, createClient, exchange, grantEverything, refresh, type Tokens } from '../../test/oauth-fixture.js'
import { createTestServer, signIn, signUp } from '../../test/test-server.js'

const MINUTE = 60_000
/** Simulated minutes per cycle; cycles with HOUSEKEEPING_SOAK_CYCLES (default 24: eight simulated hours). */
const CYCLE_MINUTES = 20
const CYCLES = Number(process.env.HOUSEKEEPING_SOAK_CYCLES ?? 24)

/**
 * The database stops growing (issue 18 part 4): real traffic through HTTP on SQLite (sign-ins,
 * token exchanges, refresh rotations, sign-outs) while a manual clock runs eight hours in
 * 20-minute steps, with lifetimes of one or two hours so that steady state comes within the run.
 * Housekeeping runs once per step, as the loop would. The used size of the database after eight
 * hours must be what it was after four, though twice the rows were written.
 */
it('keeps a SQLite database under steady traffic at a steady size', { timeout: 120_000 }, async () => {
  const server = await createTestServer({
    config: {
      session: { idleTimeout: 3600, absoluteLifetime: 2 * 3600 },
      tokens: { maxAccessTokenTtl: 300, refreshTokenIdleTtl: 3600, refreshTokenAbsoluteTtl: 2 * 3600 },
      housekeeping: { auditRetention: 3600, outboxRetention: 3600, deliveryRetention: 3600 },
    },
  })
  try {
    const { app, tessera, clock } = server
    await createApi(server, 'https://api.example.test', 'hybrid')
    const client = await createClient(server)
    const signedUp = await signUp(app, 'soak@example.com', { transport: 'bearer' })
    await grantEverything(server, { kind: 'user', id: signedUp.body.user?.id as string })
    const file = (tessera.config.databaseUrl as string).slice('sqlite:'.length)
    const measure = async () => {
      const [pages, free, size] = await Promise.all(
        ['page_count', 'freelist_count', 'page_size'].map(async (name) => {
          const { rows } = await sql.raw<Record<string, number>>(`pragma ${name}`).execute(tessera.database.db)
          return Number(Object.values(rows[0] as object)[0])
        }),
      )
      return { usedBytes: ((pages as number) - (free as number)) * (size as number), fileBytes: statSync(file).size }
    }

    const sizes: { usedBytes: number; fileBytes: number }[] = []
    let written = 0
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      for (let i = 0; i < 4; i++) {
        const { token } = await signIn(app, 'soak@example.com', undefined, { transport: 'bearer' })
        let tokens = (await exchange(server, client, token as string)).json() as Tokens
        for (let r = 0; r < 4; r++) {
          const rotated = await refresh(server, client, tokens.refresh_token)
          expect(rotated.statusCode).toBe(200)
          tokens = rotated.json() as Tokens
        }
        written += 6
        if (i % 2 === 0) await app.inject({ method: 'POST', url: '/v1/sign-out', headers: { authorization: `Bearer ${token}` } })
      }
      clock.advance(CYCLE_MINUTES * MINUTE)
      // The outbox consumers, as the background loops would run them: housekeeping keeps events they have not passed.
      await tessera.services.audit.catchUp()
      await tessera.webhooks.dispatcher.tick()
      await tessera.backchannel.tick()
      await tessera.email.dispatcher?.tick()
      const report = await tessera.housekeeping.run()
      expect(report.failed).toEqual([])
      sizes.push(await measure())
    }
    const at = (hour: number) => sizes[(hour * 60) / CYCLE_MINUTES - 1] as { usedBytes: number; fileBytes: number }
    const last = sizes[sizes.length - 1] as { usedBytes: number; fileBytes: number }
    // The figures docs/operations.md quotes; printed with the test's output.
    process.stdout.write(
      `housekeeping soak: ${CYCLES} cycles, ${written} credential rows written; used bytes at 1 h ${at(1).usedBytes}, 2 h ${at(2).usedBytes}, ` +
        `4 h ${at(4).usedBytes}, end ${last.usedBytes}; file at 4 h ${at(4).fileBytes}, end ${last.fileBytes}\n`,
    )
    const half = sizes[Math.floor(sizes.length / 2) - 1] as { usedBytes: number; fileBytes: number }
    expect(last.usedBytes).toBeLessThanOrEqual(half.usedBytes * 1.1)
    expect(last.fileBytes).toBeLessThanOrEqual(half.fileBytes * 1.1)
    // And it is housekeeping that holds it: the rows of the first hours are gone.
    const rows = async (table: 'sessions' | 'refresh_tokens' | 'access_tokens' | 'audit_log' | 'event_outbox') =>
      Number(
        (
          await tessera.database.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      )
    expect(await rows('sessions')).toBeLessThan(4 * 8)
    expect(await rows('refresh_tokens')).toBeLessThan(written / 4)
    expect(await rows('event_outbox')).toBeLessThan(written / 4)
    expect(await rows('audit_log')).toBeLessThan(written / 4)
  } finally {
    await server.close()
  }
})
