// Module hooks that let a worker thread run the server's TypeScript sources, as vitest runs them
// on the main thread (vitest's transform does not reach worker threads). Registered by
// typescript-worker.mjs. Types are stripped by the TypeScript compiler the project declares
// (ts.transpileModule, one file at a time, no type check), with the settings of tsconfig.base.json that matter here.
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

// ES modules out, as tsconfig.base.json's NodeNext gives for this "type": "module" package.
const compilerOptions = { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true }

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
  const { outputText, diagnostics } = ts.transpileModule(await readFile(path, 'utf8'), {
    fileName: path,
    compilerOptions,
    reportDiagnostics: true,
  })
  if (diagnostics?.length) throw new Error(`${path}: ${ts.flattenDiagnosticMessageText(diagnostics[0].messageText, '\n')}`)
  return { format: 'module', source: outputText, shortCircuit: true }
}
