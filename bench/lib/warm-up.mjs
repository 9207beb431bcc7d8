// The A/B tools' warm-up: an unmeasured load window on every server after it (re)starts, before
// the rounds (issue 17, bench/tools/ab-start-order.mjs). A server's first load window costs far more
// CPU per request than its later ones (compilation on V8's helper threads, page faults as it
// touches memory again after idling), and more the longer the process idled before it: the
// process started first idles while the other starts, so its first window cost the most, and with
// medians of two rounds that one window made the A/B tools' "process started first" bias. A/A runs of one build (load average 15–21): without warm-up, the first round's CPU per
// request of the process started first over the one started second was 4.10 (session check) and
// 1.81 (/healthz); with the loader warm but both servers cold, 1.72 and 1.51 although the process
// started first was measured second (596 against 120 page faults per 1,000 requests); with a 3 s
// window of each kind on each server first, 0.86 (0.75–1.24) and 0.95 (0.75–1.22) over 6 rounds.
// ab-token-endpoint.mjs introspect, A/A: the first window of the process started first cost 620 µs
// per request against 244; with the warm-up, each start order's ratio was 1.06 and 1.07.
export const WARM_UP_SECONDS = 3

/** Runs `windows` (async (seconds) => unknown, one per server and case) once each, unmeasured. */
export async function warmUp(windows, seconds = WARM_UP_SECONDS) {
  for (const window of windows) await window(seconds)
}
