// The `tessera` command's bundle (docs/architecture.md §9, "Memory", fourth pass): after `tsc`, the
// compiled CLI (dist/main.js) and the password-estimate worker are bundled with the packages they
// import into dist/bundle/, which bin/tessera.js runs. Loading ~1,200 small modules was about half
// of a start's CPU and their records a few MB of an idle server; the bundle loads eight files.
// - Left out, loaded from node_modules at run time: native addons (better-sqlite3, @node-rs/argon2),
//   the optional drivers, the libraries loaded on first use through `createRequire`
//   (shared/load-once.ts, store/optional-drivers.ts) and those Fastify requires at first use. An `import()` of a lazy feature becomes a
//   chunk of its own, still loaded at first use (test/e2e/idle-modules.test.ts).
// - dist/bundle/ sits two folders below the package, like dist/<concern>/, so every
//   `new URL('../../data/…', import.meta.url)` finds the same file; the worker is written beside
//   the chunk that starts it (`new URL('./password-estimate-worker.js', import.meta.url)`).
// - Memory: V8 keeps each chunk's source text for the life of the process, as two bytes a
//   character if one character is outside Latin-1, so non-ASCII is escaped (`charset`), comments
//   other than licences dropped and whitespace removed (idle RSS 83.6 -> 79.6 MB).
// - Names are kept: no mangling, and `keepNames`, because hoisting every module into one scope
//   renames a top-level function whose name another bundled module also declares (308 of them, ours
//   and the libraries'; `toStored` of events/event-outbox.ts became `toStored$1`), and V8 names a stack
//   frame by the function's `name`. keepNames sets it back (`__name(toStored$1, 'toStored')`, for the
//   renamed ones only; test/e2e/bundle-names.test.ts). File and line come from the source maps (to
//   dist/'s files, which ship beside the bundle) with `node --enable-source-maps`. A CPU profile
//   still shows `toStored$1` (V8's profiler reads the declared name).
//   node scripts/bundle-cli.mjs   (run by `npm run build` after tsc)
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { build } from 'rolldown'

const dist = new URL('../dist/', import.meta.url).pathname
const out = `${dist}bundle`
rmSync(out, { recursive: true, force: true })
await build({
  input: { main: `${dist}main.js`, 'password-estimate-worker': `${dist}users/password-estimate-worker.js` },
  platform: 'node',
  external: [
    /\.node$/,
    'better-sqlite3',
    /^@node-rs\//,
    'pg',
    'pg-native',
    'ioredis',
    'nodemailer',
    'pino-pretty',
    'thread-stream',
    // What Fastify requires inside a function, at its first use: bundled, their source text would
    // sit in the heap of every idle server (Ajv and fast-json-stringify: ~0.6 MB of source).
    '@fastify/ajv-compiler',
    '@fastify/fast-json-stringify-compiler',
    'light-my-request',
  ],
  output: {
    dir: out,
    format: 'esm',
    sourcemap: true,
    charset: 'ascii',
    comments: { legal: true, annotation: false, jsdoc: false },
    minify: { mangle: false, compress: false, codegen: { removeWhitespace: true } },
    keepNames: true,
    entryFileNames: '[name].js',
    chunkFileNames: '[name].js',
  },
  logLevel: 'warn',
})
// The maps point at dist/'s files, which ship beside the bundle; their text need not be in the map too.
for (const name of readdirSync(out).filter((file) => file.endsWith('.js.map'))) {
  const map = JSON.parse(readFileSync(`${out}/${name}`, 'utf8'))
  delete map.sourcesContent
  writeFileSync(`${out}/${name}`, JSON.stringify(map))
}
