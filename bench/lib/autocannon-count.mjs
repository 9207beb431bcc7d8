// A fixed number of requests from autocannon in a process of its own (50 connections), for the
// tools that count work per request over real sockets (bench/tools/callgrind-pipeline.mjs,
// gc-per-route.mjs): the suite's loader (lib/loader.mjs) loads for a duration instead.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)
const autocannon = fileURLToPath(new URL('../../node_modules/autocannon/autocannon.js', import.meta.url))

/**
 * Sends `amount` requests of one shape to `url` and resolves with autocannon's JSON result;
 * rejects if any answer was not a 2xx or failed. `timeout`: seconds per request (autocannon's -t).
 */
export async function sendCount(url, { method = 'GET', headers = {}, body } = {}, amount, { timeout } = {}) {
  const flags = ['-m', method, ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}=${v}`]), ...(body ? ['-b', body] : [])]
  const args = [autocannon, '--json', '-c', '50', ...(timeout ? ['-t', String(timeout)] : []), '-a', String(amount), ...flags, url]
  const { stdout } = await run(process.execPath, args, { maxBuffer: 1 << 24 })
  const result = JSON.parse(stdout)
  if (result.non2xx || result.errors) throw new Error(`${url}: non-2xx ${result.non2xx}, errors ${result.errors}`)
  return result
}
