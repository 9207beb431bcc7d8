// Writes docs/admin-api-reference.md from the admin API's OpenAPI document: `npm run docs:admin-api`.
import { writeFileSync } from 'node:fs'
import { renderAdminApiReference } from '../dist/admin/admin-api-reference.js'
import { describeAdminApi } from '../dist/admin/describe-admin-api.js'

writeFileSync(new URL('../../../docs/admin-api-reference.md', import.meta.url), renderAdminApiReference(await describeAdminApi()))
