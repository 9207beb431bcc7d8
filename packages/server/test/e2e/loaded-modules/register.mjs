// Preloaded with --import by idle-modules.test.ts: logs every module the process loads, one file
// URL a line, to LOADED_MODULES_LOG: ES modules through a load hook (hooks.mjs), CommonJS modules
// (the libraries loaded with createRequire on first use) through Module.prototype._compile.
import { appendFileSync } from 'node:fs'
import Module, { register } from 'node:module'
import { pathToFileURL } from 'node:url'

register('./hooks.mjs', import.meta.url)
const compile = Module.prototype._compile
Module.prototype._compile = function (content, filename) {
  appendFileSync(process.env.LOADED_MODULES_LOG, `${pathToFileURL(filename)}\n`)
  return compile.call(this, content, filename)
}
