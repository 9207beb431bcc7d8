import type { ServerResponse } from 'node:http'
import type { FeedSink } from './feed-stream.js'

/** One frame as one HTTP/1.1 chunk (RFC 9112 §7.1): its size in hex, CRLF, the bytes, CRLF, in one buffer. */
export function httpChunk(frame: Buffer): Buffer {
  // "0" CRLF is the last chunk: an empty frame is no chunk at all, as the response writes it.
  if (frame.length === 0) return frame
  const size = `${frame.length.toString(16)}\r\n`
  const chunk = Buffer.allocUnsafe(size.length + frame.length + 2)
  chunk.write(size, 0, 'latin1')
  frame.copy(chunk, size.length)
  chunk.write('\r\n', size.length + frame.length, 'latin1')
  return chunk
}

/**
 * Frames each event once as a chunk, however many streams it is written to: a broadcast entry's
 * frame is one Buffer for all of them (feed-frames.ts), so its chunk is too.
 */
export function createChunkFraming(): (frame: Buffer) => Buffer {
  const chunks = new WeakMap<Buffer, Buffer>()
  return (frame) => {
    let chunk = chunks.get(frame)
    if (chunk === undefined) {
      chunk = httpChunk(frame)
      chunks.set(frame, chunk)
    }
    return chunk
  }
}

/**
 * What a feed stream writes to: the response, whose head is sent here. When that head went
 * straight to the socket (the socket's current response, nothing queued in the response) and the
 * body is chunked, each event is written to the socket as one ready-made chunk, one `write` and
 * one system call per stream: through the response, Node's HTTP layer corked the socket, queued
 * the size, CRLF, the event and CRLF as four writes and sent them as a `writev` on the next tick,
 * about a third of the server's CPU per stream and event (docs/architecture.md §9). The response
 * still ends the body (`end()` writes the last chunk after these). Otherwise (HTTP/1.0, a HEAD,
 * a pipelined request waiting its turn) the response writes as it always did.
 */
export function responseSink(out: ServerResponse, chunkOf: (frame: Buffer) => Buffer): FeedSink {
  out.flushHeaders()
  const socket = out.socket
  if (socket === null || !out.chunkedEncoding || out.writableLength !== socket.writableLength) return out
  return {
    write(frame) {
      // As the response does: nothing goes to a socket that is closing; its close ends the stream.
      if (socket.destroyed || !socket.writable) return false
      return socket.write(chunkOf(frame))
    },
    // The response's count is the socket's (and anything the response itself still holds): the backlog bound sees every byte.
    get writableLength() {
      return out.writableLength
    },
    cork: () => socket.cork(),
    uncork: () => socket.uncork(),
  }
}
