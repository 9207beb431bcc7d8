// Puts the built admin console (packages/console/dist) inside the server package, so the published
// `tessera` serves /console like the monorepo does (npm runs this as prepack; `--clean` as postpack,
// so the copy never goes stale in a working tree). A missing build fails the pack: a package
// without its console would install and start, then answer 404 at /console.
import { cpSync, existsSync, rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const target = fileURLToPath(new URL('../console-app/', import.meta.url))
const source = fileURLToPath(new URL('../../console/dist/', import.meta.url))

rmSync(target, { recursive: true, force: true })
if (process.argv.includes('--clean')) process.exit(0)
if (!existsSync(`${source}index.html`)) {
  console.error('bundle-console: packages/console/dist is not built; run `npm run build` first')
  process.exit(1)
}
cpSync(source, target, { recursive: true })
console.error(`bundle-console: copied the console into ${target}`)
