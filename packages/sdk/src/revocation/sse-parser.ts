/** One dispatched server-sent event. */
export interface SseEvent {
  /** `event:`, or "message" when absent. */
  type: string
  /** The `data:` lines, joined with "\n". */
  data: string
  /** The last `id:` seen on the stream so far (WHATWG HTML §9.2.6: it persists across events). */
  lastEventId: string
}

/** Incremental parser for `text/event-stream`: push decoded text as it arrives. */
export interface SseParser {
  push(text: string): void
}

/** Larger than any snapshot we expect; bounds the memory a broken or hostile stream can take. */
export const MAX_SSE_EVENT_SIZE = 16 * 1024 * 1024

/**
 * The event-stream interpretation of WHATWG HTML §9.2.6, by hand (no dependency): lines end in
 * CRLF, LF or CR, even split across chunks; `:` starts a comment; one space after the colon is
 * dropped; a blank line dispatches; an event with no data is not dispatched. Throws when an event
 * grows past `maxEventSize`.
 */
export function createSseParser(onEvent: (event: SseEvent) => void, maxEventSize = MAX_SSE_EVENT_SIZE): SseParser {
  // The unterminated line so far. Each push scans only its own text for terminators, so a long
  // line (a snapshot is one `data:` line) arriving in many chunks costs linear time, not quadratic.
  let pending = ''
  let first = true
  let pendingCr = false
  let type = ''
  let data = ''
  let lastEventId = ''

  function processLine(line: string): void {
    if (line === '') {
      dispatch()
      return
    }
    if (line.charCodeAt(0) === 58 /* : */) return
    const colon = line.indexOf(':')
    const field = colon === -1 ? line : line.slice(0, colon)
    let value = colon === -1 ? '' : line.slice(colon + 1)
    if (value.charCodeAt(0) === 32 /* space */) value = value.slice(1)
    if (field === 'event') type = value
    else if (field === 'data') data += `${value}\n`
    else if (field === 'id' && !value.includes('\0')) lastEventId = value
    if (data.length > maxEventSize) throw new Error('server-sent event too large')
  }

  function dispatch(): void {
    if (data === '') {
      type = ''
      return
    }
    const event = { type: type || 'message', data: data.slice(0, -1), lastEventId }
    type = ''
    data = ''
    onEvent(event)
  }

  return {
    push(text) {
      // An empty chunk (a decoder holding part of a character) changes nothing, not even a pending CR.
      if (text.length === 0) return
      if (first) {
        first = false
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
      }
      let start = 0
      // A CR that ended the previous chunk already ended its line; a LF right after it is the same terminator.
      if (pendingCr && text.charCodeAt(0) === 10) start = 1
      pendingCr = false
      let lf = text.indexOf('\n', start)
      let cr = text.indexOf('\r', start)
      while (lf !== -1 || cr !== -1) {
        let end: number
        let next: number
        if (cr === -1 || (lf !== -1 && lf < cr)) {
          end = lf
          next = lf + 1
        } else {
          end = cr
          next = cr + 1
          if (next === text.length) pendingCr = true
          else if (text.charCodeAt(next) === 10) next += 1
        }
        const piece = text.slice(start, end)
        const line = pending === '' ? piece : pending + piece
        pending = ''
        start = next
        processLine(line)
        if (lf !== -1 && lf < start) lf = text.indexOf('\n', start)
        if (cr !== -1 && cr < start) cr = text.indexOf('\r', start)
      }
      if (start < text.length) pending += text.slice(start)
      if (pending.length > maxEventSize) throw new Error('server-sent event line too large')
    },
  }
}
