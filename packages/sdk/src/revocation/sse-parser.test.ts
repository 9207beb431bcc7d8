import { describe, expect, it } from 'vitest'
import { createSseParser, type SseEvent } from './sse-parser.js'

function parse(chunks: string[], maxEventSize?: number): SseEvent[] {
  const events: SseEvent[] = []
  const parser = createSseParser((event) => events.push(event), maxEventSize)
  for (const chunk of chunks) parser.push(chunk)
  return events
}

describe('the server-sent events parser', () => {
  it('reads the feed’s events: type, id and one data line', () => {
    const events = parse(['event: revocation\nid: 42\ndata: {"seq":42}\n\nevent: heartbeat\ndata: {"seq":42}\n\n'])
    expect(events).toEqual([
      { type: 'revocation', data: '{"seq":42}', lastEventId: '42' },
      { type: 'heartbeat', data: '{"seq":42}', lastEventId: '42' },
    ])
  })

  it('reassembles events split anywhere across chunks, even between CR and LF', () => {
    const text = 'event: snapshot\r\nid: 7\r\ndata: {"a":1}\r\n\r\n'
    for (let cut = 0; cut <= text.length; cut += 1) {
      expect(parse([text.slice(0, cut), text.slice(cut)]), `cut at ${cut}`).toEqual([
        { type: 'snapshot', data: '{"a":1}', lastEventId: '7' },
      ])
    }
    expect(parse(text.split(''))).toHaveLength(1)
  })

  it('accepts CR, LF and CRLF line endings', () => {
    expect(parse(['data: a\rdata: b\r\rdata: c\n\ndata: d\r\n\r\n']).map((event) => event.data)).toEqual(['a\nb', 'c', 'd'])
  })

  it('ignores comments, unknown fields and events without data; keeps the space rule', () => {
    const events = parse([': keep-alive\n\nretry: 10\nfoo: bar\nevent: x\n\ndata:no-space\ndata:  two spaces\n\n'])
    expect(events).toEqual([{ type: 'message', data: 'no-space\n two spaces', lastEventId: '' }])
  })

  it('drops a leading byte-order mark and an id with a NUL', () => {
    expect(parse(['\uFEFFid: 1\ndata: a\n\nid: 2\u0000\ndata: b\n\n']).map((event) => event.lastEventId)).toEqual(['1', '1'])
  })

  it('does not dispatch an unterminated event', () => {
    expect(parse(['event: revocation\ndata: {"seq":1}\n'])).toEqual([])
  })

  it('refuses an event larger than the limit', () => {
    expect(() => parse([`data: ${'x'.repeat(100)}\n`], 50)).toThrow()
    expect(() => parse(['x'.repeat(100)], 50)).toThrow()
    const split = Array.from({ length: 20 }, () => 'xxxxx')
    expect(() => parse(split, 50)).toThrow()
  })

  it('reassembles a long line (a snapshot) from many chunks, whatever the line endings around it', () => {
    const entries = Array.from({ length: 2000 }, (_, seq) => ({ seq, kind: 'session', sid: `s${seq}` }))
    const body = JSON.stringify({ seq: 2000, entries })
    for (const eol of ['\n', '\r', '\r\n']) {
      const text = `event: snapshot${eol}id: 2000${eol}data: ${body}${eol}${eol}event: heartbeat${eol}data: {}${eol}${eol}`
      const chunks: string[] = []
      for (let at = 0; at < text.length; at += 997) chunks.push(text.slice(at, at + 997))
      expect(parse(chunks)).toEqual([
        { type: 'snapshot', data: body, lastEventId: '2000' },
        { type: 'heartbeat', data: '{}', lastEventId: '2000' },
      ])
    }
  })

  it('keeps a CR pending across an empty chunk (a decoder holding part of a character)', () => {
    expect(parse(['data: a\r', '', '\ndata: b\n\n']).map((event) => event.data)).toEqual(['a\nb'])
  })
})
