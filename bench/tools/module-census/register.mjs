// Preloaded with --import: counts ES modules (hooks.mjs) and CommonJS modules (Module._compile).
import { appendFileSync } from 'node:fs'
import Module, { register } from 'node:module'

register('./hooks.mjs', import.meta.url)
const compile = Module.prototype._compile
Module.prototype._compile = function (content, filename) {
  appendFileSync(process.env.MODULE_CENSUS_LOG, `${content.length}\tfile://${filename}\n`)
  return compile.call(this, content, filename)
}
