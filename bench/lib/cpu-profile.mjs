// A CPU profile of one phase of a process (node:inspector), written as a .cpuprofile that
// bench/tools/profile-summary.mjs reads. Unlike `node --cpu-prof`, start-up is left out, and
// with it the slowness that profiling adds to start-up (1,000 verifiers' discovery timed out).
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { join } from 'node:path'

/** Starts profiling when `dir` is set; the returned function stops and writes `<dir>/<name>.cpuprofile`. */
export async function profilePhase(dir, name) {
  if (!dir) return async () => {}
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: 200 })
  await session.post('Profiler.start')
  return async () => {
    const { profile } = await session.post('Profiler.stop')
    writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile))
    session.disconnect()
  }
}
