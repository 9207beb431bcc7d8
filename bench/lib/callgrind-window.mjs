// The counted window of the callgrind-*.mjs tools: this process runs under
// `valgrind --tool=callgrind --dump-instr=no --collect-atstart=yes`; its counters are zeroed after
// start-up and a warm-up (callgrind_control -z) and dumped after the counted requests
// (callgrind_control -d), so the dump `<out>.1` holds those requests only. Outside valgrind,
// callgrind_control finds no process and the window simply runs. Under a loaded machine, start
// valgrind with `--instr-atstart=no` too: start-up and the warm-up then run uninstrumented (several
// times faster; the password estimate's thread otherwise took longer than a sign-up waits for it),
// and the window turns instrumentation on (callgrind_control -i on) before it zeroes the counters.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const control = (...flags) => promisify(execFile)('callgrind_control', [...flags, String(process.pid)]).catch(() => undefined)

/**
 * `run(warmUp)` to warm up (the JIT, the caches), then `run(count)` between a zero and a dump of the
 * counters. 300 is not always enough: two introspection runs of one build after 300 differed by
 * ~10% in main-thread instructions (optimising compiles still under way in the counted window).
 */
export async function callgrindWindow(run, count, warmUp = 300) {
  await run(warmUp)
  await control('-i', 'on')
  await control('-z')
  await run(count)
  await control('-d')
}
