// A minimal horizontal bar chart: the median ratio per row, with a whisker from min to max.
const xml = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

export function barChart({ title, subtitle, rows }) {
  const bars = rows.filter((r) => Number.isFinite(r.median))
  const label = 440
  const width = 880
  const plot = width - label - 70
  const height = 56 + bars.length * 24
  const max = Math.max(1, ...bars.map((b) => b.max))
  const x = (value) => label + (value / max) * plot
  const lines = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${xml(title)}</title>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="8" y="18" font-size="14" font-weight="bold">${xml(title)}</text>`,
    `<text x="8" y="36" fill="#555">${xml(subtitle)}</text>`,
    `<line x1="${x(1)}" y1="44" x2="${x(1)}" y2="${height - 4}" stroke="#999" stroke-dasharray="3,3"/>`,
  ]
  bars.forEach((bar, index) => {
    const y = 48 + index * 24
    lines.push(`<text x="${label - 6}" y="${y + 13}" text-anchor="end">${xml(bar.name)}</text>`)
    lines.push(
      `<rect x="${label}" y="${y + 3}" width="${Math.max(1, x(bar.median) - label)}" height="14" fill="${bar.color ?? '#4a7bd0'}"/>`,
    )
    lines.push(`<line x1="${x(bar.min)}" y1="${y + 10}" x2="${x(bar.max)}" y2="${y + 10}" stroke="#222"/>`)
    lines.push(`<text x="${x(bar.max) + 4}" y="${y + 13}">${bar.median.toFixed(bar.median < 10 ? 2 : 1)}</text>`)
  })
  lines.push('</svg>')
  return `${lines.join('\n')}\n`
}
