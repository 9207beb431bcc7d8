// Writes docs/benchmarks.md (or <out>/benchmarks.md) and one SVG chart per charted section.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { barChart } from './svg-chart.mjs'

const num = (value, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a')
const rate = (s) => (Number.isFinite(s.median) ? `${num(s.median)} (${num(s.min)}–${num(s.max)})` : 'n/a')
const ms = (s) => (Number.isFinite(s.median) ? `${num(s.median, 1)} (${num(s.min, 1)}–${num(s.max, 1)})` : '–')
const ratio = (s) => (s && Number.isFinite(s.median) ? `**${num(s.median, 2)}** (${num(s.min, 2)}–${num(s.max, 2)})` : '–')

function section(out, s, context) {
  const lines = [`## ${s.title}`, '', s.intro, '']
  if (s.rows) {
    const unit = s.unit ?? 'req/s'
    const head = s.ratioLabel ?? 'ratio to baseline'
    const lat = s.latencyUnit ?? 'ms'
    const cpu = s.rows.some((r) => r.cpuRate)
    const cpuRatio = s.rows.some((r) => r.cpuRatio)
    lines.push(
      `| Case | ${unit} median (min–max) | p50 ${lat} | p99 ${lat} | ${head} |${cpu ? ` ${s.cpuLabel ?? `${unit} per CPU-second`} |` : ''}${cpuRatio ? ` ${head}, per CPU-second |` : ''}`,
      `| --- | --- | --- | --- | --- |${cpu ? ' --- |' : ''}${cpuRatio ? ' --- |' : ''}`,
    )
    for (const r of s.rows) {
      lines.push(
        `| ${r.name} | ${rate(r.rate)} | ${ms(r.p50)} | ${ms(r.p99)} | ${ratio(r.ratio)} |${cpu ? ` ${r.cpuRate ? rate(r.cpuRate) : '–'} |` : ''}${cpuRatio ? ` ${ratio(r.cpuRatio)} |` : ''}`,
      )
    }
    lines.push('')
  }
  if (s.markdown) lines.push(s.markdown, '')
  if (s.chart && s.rows) {
    const file = `${s.id}.svg`
    const rows = s.rows.filter((r) => r.ratio).map((r) => ({ name: r.name, ...r.ratio }))
    writeFileSync(
      join(out, 'benchmarks', file),
      barChart({
        title: s.title,
        subtitle: `${s.ratioLabel ?? 'ratio to baseline'}; median, whisker min–max over ${s.rounds ?? context.rounds} rounds; ${context.stamp}`,
        rows,
      }),
    )
    lines.push(`![${s.title}](benchmarks/${file})`, '')
  }
  return lines.join('\n')
}

export function writeReport(out, { machine, settings, started, finished, loadStart, loadEnd, sections, targets, analysis }) {
  mkdirSync(join(out, 'benchmarks'), { recursive: true })
  const stamp = `${machine.cores} cores (${machine.cpu}), Node ${machine.node}, ${started.toISOString().slice(0, 10)}`
  const context = { rounds: settings.rounds, stamp }
  const header = [
    '# Benchmarks',
    '',
    `Produced by \`npm run bench\`${settings.name === 'quick' ? ' --quick (a smoke run: its figures mean nothing)' : ''}; do not edit by hand.`,
    '',
    '| Machine | |',
    '| --- | --- |',
    `| CPU | ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB |`,
    `| Node | ${machine.node} (${machine.platform}) |`,
    `| Run | ${started.toISOString()} → ${finished.toISOString()} (${Math.round((finished - started) / 1000)} s, profile ${settings.name}) |`,
    `| Load average (1, 5, 15 min) | at start ${loadStart.join(', ')}; at end ${loadEnd.join(', ')} |`,
    `| Rounds | every case ${settings.rounds}× interleaved with its baseline${moreRounds(sections, settings)}; ${settings.duration} s of load each, ${settings.connections} connections |`,
    '',
    'Every figure is the median of the rounds, with (min–max). Ratios are computed round by round against the baseline measured',
    'next to the case in the same round, then summarised: on a shared machine, absolute figures move with the neighbours, ratios much less.',
    'A "per CPU-second" column counts requests per second of CPU time of the server process (every thread, from /proc over the load window):',
    "on 2 cores shared by a server and autocannon, a rate also measures how the two share the cores, while CPU per request is the server's own cost.",
    '',
    loadStart[0] > machine.cores
      ? `The machine was busy when the run started (load average ${loadStart[0]} on ${machine.cores} cores, from other work): absolute rates are lower and noisier than on an idle machine. Read the ratios.`
      : `The machine had no other heavy work (load average ${loadStart[0]} at the start on ${machine.cores} cores); the load average counts the suite's own load generators, servers and peers.`,
    '',
    '## Targets',
    '',
    '| What | Target | Measured | Met |',
    '| --- | --- | --- | --- |',
    ...targets.map((t) => `| ${t.what} | ${t.target} | ${t.measured} | ${t.met === null ? 'n/a' : t.met ? 'yes' : '**no**'} |`),
    '',
  ]
  const body = sections.map((s) => section(out, s, context))
  writeFileSync(join(out, 'benchmarks.md'), `${[...header, analysis, '', ...body].join('\n')}\n`)
}

/** The sections that ran more rounds than the rest (those whose rows decide a target), as the header says them. */
function moreRounds(sections, settings) {
  const more = sections.filter((s) => s.rounds !== undefined && s.rounds !== settings.rounds)
  if (more.length === 0) return ''
  const byCount = new Map()
  for (const s of more) byCount.set(s.rounds, [...(byCount.get(s.rounds) ?? []), s.title.split('.')[0]])
  return [...byCount].map(([rounds, ids]) => `, sections ${ids.join(', ')} ${rounds}×`).join('')
}
