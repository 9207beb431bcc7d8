// The revocation suite's verifiers' fetch (lib/revocation-subscribers.mjs), shared with
// bench/tools/ab-sdk-feed-read.mjs, which prices it against the plain fetch.

const REVOCATION_EVENT = Buffer.from('event: revocation')

/**
 * The verifier's fetch, with its feed stream tapped where the SDK reads it: each chunk the SDK's
 * reader receives is searched (as bytes, with the previous chunk's tail for a split marker) before
 * the SDK sees it. Earlier versions piped the body through a TransformStream into a new Response,
 * which cost as much again as the SDK's own read of the stream, for every verifier and event.
 */
export function tappedFetch(onRevocationBytes) {
  return async (url, init) => {
    const response = await globalThis.fetch(url, init)
    if (!url.endsWith('/v1/revocations') || !response.ok || !response.body) return response
    const { body } = response
    let tail = Buffer.alloc(0)
    const look = (chunk) => {
      const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
      const head = tail.length > 0 ? Buffer.concat([tail, bytes.subarray(0, REVOCATION_EVENT.length)]) : null
      if (bytes.includes(REVOCATION_EVENT) || head?.includes(REVOCATION_EVENT)) onRevocationBytes()
      tail = Buffer.from(bytes.subarray(-REVOCATION_EVENT.length))
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
