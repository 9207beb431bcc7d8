// A prototype bundle of the built server, for measuring variants (issue 17, architecture.md §9,
// "Memory"; the build itself now bundles the CLI with packages/server/scripts/bundle-cli.mjs): packages/server/dist/main.js and the password-estimate worker bundled by rolldown
// (the bench's declared dependency, the bundler Vite itself uses; this tool is not part of the
// build), native addons and the optional drivers left external, into a copy of the package
// (bin, dist, data, package.json, src/ui/assets) whose bin/tessera.js runs the bundle. The output
// folder must sit inside the worktree's packages/server (e.g. its git-ignored .ab/) so the
// external packages resolve. --minify removes whitespace (names kept, so stack traces keep them).
// Prints the bin path to give bench/tools/ab-footprint.mjs or ab-startup-cpu.mjs.
//   npm run build && node bench/tools/bundle-prototype.mjs --out packages/server/.ab/bundle [--minify]
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { build } from 'rolldown'

const { values } = parseArgs({ options: { out: { type: 'string' }, minify: { type: 'boolean' }, 'own-only': { type: 'boolean' } } })
if (!values.out) throw new Error('give --out DIR (inside packages/server, e.g. packages/server/.ab/bundle)')
const server = new URL('../../packages/server/', import.meta.url).pathname
const out = resolve(values.out)
rmSync(out, { recursive: true, force: true })
for (const path of ['bin', 'dist', 'data', 'package.json', 'src/ui/assets'])
  cpSync(join(server, path), join(out, path), { recursive: true })
await build({
  // The worker is its own entry, written beside main.js, where `new URL('./password-estimate-worker.js',
  // import.meta.url)` finds it; data files are read two folders up, as from dist/<concern>/.
  input: { main: join(server, 'dist/main.js'), 'password-estimate-worker': join(server, 'dist/users/password-estimate-worker.js') },
  platform: 'node',
  // --own-only bundles Tessera's own modules and leaves every package external.
  external: values['own-only']
    ? (id) => !/^[./\0]|^@oxc-project\/runtime/.test(id)
    : [/\.node$/, 'better-sqlite3', /^@node-rs\//, 'pg', 'pg-native', 'ioredis', 'nodemailer', 'pino-pretty', 'thread-stream'],
  output: {
    dir: join(out, 'dist/bundle'),
    format: 'esm',
    minify: values.minify ? { mangle: false, compress: false, codegen: { removeWhitespace: true } } : false,
    entryFileNames: '[name].js',
    chunkFileNames: '[name]-[hash].js',
  },
  logLevel: 'warn',
})
const bin = join(out, 'bin/tessera.js')
writeFileSync(bin, readFileSync(bin, 'utf8').replace("'../dist/main.js'", "'../dist/bundle/main.js'"))
console.log(bin)
