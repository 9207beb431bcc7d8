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
  let buffer = ''
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
    if (line.startsWith(':')) return
    const colon = line.indexOf(':')
    const field = colon === -1 ? line : line.slice(0, colon)
    let value = colon === -1 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
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
      if (first && text.length > 0) {
        first = false
        if (text.startsWith('\uFEFF')) text = text.slice(1)
      }
      // A CR that ended the previous chunk already ended its line; a LF right after it is the same terminator.
      if (pendingCr && text.startsWith('\n')) text = text.slice(1)
      pendingCr = false
      buffer += text
      const terminators = /\r\n|\r|\n/g
      let start = 0
      for (let match = terminators.exec(buffer); match !== null; match = terminators.exec(buffer)) {
        if (match[0] === '\r' && match.index === buffer.length - 1) pendingCr = true
        const line = buffer.slice(start, match.index)
        start = match.index + match[0].length
        processLine(line)
      }
      buffer = buffer.slice(start)
      if (buffer.length > maxEventSize) throw new Error('server-sent event line too large')
    },
  }
}
