// ES module load hook of register.mjs (runs on the loader thread).
import { appendFileSync } from 'node:fs'

export async function load(url, context, next) {
  const result = await next(url, context)
  if (url.startsWith('file:')) appendFileSync(process.env.LOADED_MODULES_LOG, `${url}\n`)
  return result
}
