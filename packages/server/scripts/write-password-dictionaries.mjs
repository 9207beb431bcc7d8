// Writes data/password-dictionaries.txt (users/password-dictionaries.ts) from the installed
// @zxcvbn-ts language packages: `npm run build && node packages/server/scripts/write-password-dictionaries.mjs`
// after upgrading them (password-strength.test.ts fails until then).
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { formatPasswordDictionaries, PASSWORD_DICTIONARIES_FILE } from '../dist/users/password-dictionaries.js'

const require = createRequire(import.meta.url)
const packages = ['@zxcvbn-ts/language-common', '@zxcvbn-ts/language-en']
const lists = Object.assign({}, ...packages.map((name) => require(name).dictionary))
const sources = packages.map((name) => ({ name, version: require(`${name}/package.json`).version }))
writeFileSync(PASSWORD_DICTIONARIES_FILE, formatPasswordDictionaries(lists, sources))
