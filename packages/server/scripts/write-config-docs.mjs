// Writes docs/configuration.md from the built config schema: `npm run docs:config`.
import { writeFileSync } from 'node:fs'
import { renderConfigDocs } from '../dist/config/config-docs.js'

writeFileSync(new URL('../../../docs/configuration.md', import.meta.url), renderConfigDocs())
