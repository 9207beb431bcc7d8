// Module hooks that let a worker thread run the server's TypeScript sources, as vitest runs them
// on the main thread (vitest's transform does not reach worker threads). Registered by
// typescript-worker.mjs. Type stripping by oxc (`rolldown/utils`, the transformer vite uses).
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { transformSync } from 'rolldown/utils'

/** `./x.js` imported from a .ts source is `./x.ts` when only that exists (TypeScript's NodeNext convention). */
export async function resolve(specifier, context, nextResolve) {
  if (specifier.startsWith('.') && specifier.endsWith('.js') && context.parentURL?.endsWith('.ts')) {
    const source = new URL(`${specifier.slice(0, -3)}.ts`, context.parentURL)
    if (!existsSync(fileURLToPath(new URL(specifier, context.parentURL))) && existsSync(fileURLToPath(source))) {
      return { url: source.href, shortCircuit: true }
    }
  }
  return nextResolve(specifier, context)
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context)
  const path = fileURLToPath(url)
  const { code, errors } = transformSync(path, await readFile(path, 'utf8'), { lang: 'ts' })
  if (errors.length > 0) throw new Error(`${path}: ${errors[0].message}`)
  return { format: 'module', source: code, shortCircuit: true }
}
