// ES module load hook (runs on the loader thread): one line per module loaded, with its source size.
import { appendFileSync } from 'node:fs'

export async function load(url, context, next) {
  const result = await next(url, context)
  // CommonJS modules imported from ESM come back without source; the require hook counts them.
  if (result.source) appendFileSync(process.env.MODULE_CENSUS_LOG, `${result.source.length}\t${url}\n`)
  return result
}
