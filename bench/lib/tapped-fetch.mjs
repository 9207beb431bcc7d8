// The revocation suite's verifiers' fetch (lib/revocation-subscribers.mjs), shared with
// bench/tools/ab-sdk-feed-read.mjs, which prices it against the plain fetch.

const REVOCATION_EVENT = Buffer.from('event: revocation')
/** The bytes of the stream kept from one chunk to the next: one fewer than the marker's, so a marker split anywhere is seen. */
const SEAM = REVOCATION_EVENT.length - 1

/**
 * A detector of `event: revocation` in a byte stream fed chunk by chunk: true for the chunk in which
 * a marker ends, wherever the chunks split it. It allocates nothing per chunk but a view (no copy)
 * to search the chunk with Buffer's native search; the stream's last bytes are kept in a fixed array
 * and searched across the seam byte by byte. (Until Dec 7 each chunk cost a view, a concatenation
 * of the previous chunk's tail with this one's head, and a copy of its own tail.)
 */
export function revocationMarker() {
  const tail = new Uint8Array(SEAM)
  let kept = 0
  return (chunk) => {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    const found = bytes.includes(REVOCATION_EVENT) || (kept > 0 && acrossSeam(tail, kept, chunk))
    if (chunk.length >= SEAM) {
      for (let i = 0; i < SEAM; i++) tail[i] = chunk[chunk.length - SEAM + i]
      kept = SEAM
    } else {
      const drop = Math.max(0, kept + chunk.length - SEAM)
      tail.copyWithin(0, drop, kept)
      kept -= drop
      for (let i = 0; i < chunk.length; i++) tail[kept++] = chunk[i]
    }
    return found
  }
}

/** Whether a marker starts in the kept tail (its first `kept` bytes) and ends in `chunk`. */
function acrossSeam(tail, kept, chunk) {
  for (let start = 0; start < kept; start++) {
    let i = 0
    while (i < REVOCATION_EVENT.length) {
      const at = start + i
      if ((at < kept ? tail[at] : chunk[at - kept]) !== REVOCATION_EVENT[i]) break
      i += 1
    }
    if (i === REVOCATION_EVENT.length) return true
  }
  return false
}

/**
 * The verifier's fetch, with its feed stream tapped where the SDK reads it: each chunk the SDK's
 * reader receives is searched for the marker (as bytes, `revocationMarker`) before the SDK sees it.
 * Earlier versions piped the body through a TransformStream into a new Response, which cost as
 * much again as the SDK's own read of the stream, for every verifier and event.
 */
export function tappedFetch(onRevocationBytes) {
  return async (url, init) => {
    const response = await globalThis.fetch(url, init)
    if (!url.endsWith('/v1/revocations') || !response.ok || !response.body) return response
    const { body } = response
    const marker = revocationMarker()
    const look = (chunk) => {
      if (marker(chunk)) onRevocationBytes()
    }
    const tapped = {
      getReader() {
        const reader = body.getReader()
        return {
          read: () =>
            reader.read().then((result) => {
              if (!result.done) look(result.value)
              return result
            }),
          cancel: (reason) => reader.cancel(reason),
          releaseLock: () => reader.releaseLock(),
          closed: reader.closed,
        }
      },
      cancel: (reason) => body.cancel(reason),
    }
    return { ok: response.ok, status: response.status, headers: response.headers, body: tapped }
  }
}
