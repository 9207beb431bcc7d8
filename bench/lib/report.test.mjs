// The report says how many rounds each figure is the median of: the sections whose rows decide a
// target run more rounds than the rest (lib/settings.mjs decidingRounds).
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { writeReport } from './report.mjs'
import { row } from './stats.mjs'

const out = mkdtempSync(join(tmpdir(), 'tessera-report-'))
after(() => rmSync(out, { recursive: true, force: true }))

const samples = (...rates) => rates.map((rate) => ({ rate, p50: 1, p99: 2 }))
function charted(id, title, rounds) {
  const base = samples(...Array.from({ length: rounds ?? 3 }, () => 100))
  const rows = [row('baseline', base, base), row('case', samples(...Array.from({ length: rounds ?? 3 }, () => 80)), base)]
  return { id, title, intro: 'intro', rows, chart: true, ...(rounds === undefined ? {} : { rounds }) }
}
function report(sections) {
  writeReport(out, {
    machine: { cores: 2, cpu: 'test cpu', memoryGb: 1, node: 'v20', platform: 'linux' },
    settings: { name: 'full', rounds: 3, duration: 4, connections: 50 },
    started: new Date('2026-12-07T00:00:00Z'),
    finished: new Date('2026-12-07T00:10:00Z'),
    loadStart: [0.5, 0.5, 0.5],
    loadEnd: [1, 1, 1],
    sections,
    targets: [],
    analysis: '',
  })
  return readFileSync(join(out, 'benchmarks.md'), 'utf8')
}

describe('the rounds the report states', () => {
  it('names the sections that ran more rounds, and each chart says its own', () => {
    const markdown = report([
      charted('verify-http', '1b. Verification over HTTP', 6),
      charted('issuance', '2a. Token issuance'),
      charted('peers', '5. Peers', 6),
    ])
    assert.match(markdown, /\| Rounds \| every case 3× interleaved with its baseline, sections 1b, 5 6×; 4 s of load each/)
    assert.match(readFileSync(join(out, 'benchmarks', 'verify-http.svg'), 'utf8'), /over 6 rounds/)
    assert.match(readFileSync(join(out, 'benchmarks', 'peers.svg'), 'utf8'), /over 6 rounds/)
    assert.match(readFileSync(join(out, 'benchmarks', 'issuance.svg'), 'utf8'), /over 3 rounds/)
  })

  it('says nothing more when every section ran the same rounds (a results.json of an earlier run)', () => {
    const markdown = report([charted('issuance', '2a. Token issuance'), charted('peers', '5. Peers', 3)])
    assert.match(markdown, /\| Rounds \| every case 3× interleaved with its baseline; 4 s of load each/)
    assert.match(readFileSync(join(out, 'benchmarks', 'peers.svg'), 'utf8'), /over 3 rounds/)
  })
})
