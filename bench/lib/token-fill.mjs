// Rows a server in use has: n refresh tokens and n recorded access tokens under random ids (as every
// build before ordered ids drew them, packages/server/src/shared/ordered-id.ts), copies of the rows
// of one token exchange with new ids and families, so that a rotation's index inserts meet tables of
// that size (bench/tools/profile-refresh.mjs PROFILE_FILL, bench/tools/ab-refresh.mjs AB_FILL).
import { randomBytes } from 'node:crypto'
import { exchange } from './harness.mjs'

export async function fillTokenTables(tessera, { address, authorization, sessionToken, resource }, n) {
  await exchange(address, authorization, sessionToken, resource)
  const id = () => randomBytes(16).toString('base64url')
  const db = tessera.database.db
  const refresh = await db.selectFrom('refresh_tokens').selectAll().executeTakeFirstOrThrow()
  const access = await db.selectFrom('access_tokens').selectAll().executeTakeFirstOrThrow()
  for (let done = 0; done < n; done += 500) {
    const families = Array.from({ length: Math.min(500, n - done) }, id)
    await db.transaction().execute(async (tx) => {
      await tx
        .insertInto('refresh_tokens')
        .values(families.map((family) => ({ ...refresh, id: id(), family_id: family, parent_id: id() })))
        .execute()
      await tx
        .insertInto('access_tokens')
        .values(families.map((family) => ({ ...access, jti: id(), family_id: family })))
        .execute()
    })
  }
}
