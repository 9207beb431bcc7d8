// lib/tapped-fetch.mjs's marker search: true for exactly the chunks in which an `event: revocation`
// ends, however the stream is cut. `npm test -w bench`.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { revocationMarker } from './tapped-fetch.mjs'

const encoder = new TextEncoder()
const stream = encoder.encode(
  ': hi\n\nevent: snapshot\ndata: {"seq":1,"entries":[]}\n\nevent: revocation\nid: 2\ndata: {"seq":2,"kind":"session","sid":"évent: revocatio"}\n\n' +
    'event: heartbeat\ndata: {}\n\nevent: revocation\nid: 3\ndata: {}\n\nevent: revocation\r\n\r\n',
)
const text = new TextDecoder().decode(stream)
// Byte offsets just past each marker.
const ends = []
for (let at = stream.indexOf(101); at !== -1; at = stream.indexOf(101, at + 1)) {
  if (new TextDecoder().decode(stream.subarray(at, at + 17)) === 'event: revocation') ends.push(at + 17)
}

/** Feed `stream` cut at `cuts` (views into one larger buffer, as a reader hands them) and compare each answer with where markers end. */
function check(cuts) {
  const backing = new Uint8Array(stream.length + 8)
  backing.set(stream, 4)
  const look = revocationMarker()
  const bounds = [0, ...cuts, stream.length]
  for (let i = 0; i + 1 < bounds.length; i++) {
    const [from, to] = [bounds[i], bounds[i + 1]]
    const expected = ends.some((end) => end > from && end <= to)
    assert.equal(look(backing.subarray(4 + from, 4 + to)), expected, `chunk ${from}-${to} of cuts ${cuts}`)
  }
}

describe('the revocation suite’s tap', () => {
  it('is given a stream with three markers', () => {
    assert.equal(ends.length, 3)
    assert.ok(text.includes('évent: revocatio'))
  })

  it('sees a marker cut at any byte, in two chunks', () => {
    for (let cut = 0; cut <= stream.length; cut++) check([cut])
  })

  it('sees markers spread over many small chunks, byte by byte included', () => {
    for (const size of [1, 2, 3, 5, 7, 16, 17, 18, 40]) {
      const cuts = []
      for (let at = size; at < stream.length; at += size) cuts.push(at)
      check(cuts)
    }
  })

  it('sees a marker across three chunks, its middle shorter than the kept seam', () => {
    const first = ends[0] - 17
    for (let a = first + 1; a < ends[0] - 1; a++) for (let b = a + 1; b < ends[0]; b++) check([a, b])
  })
})
