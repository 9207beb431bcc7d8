import { useId } from 'react'
import { scaleFor, stackTotals } from './chart-scale.js'

export interface ChartSeries {
  name: string
  /** A class of styles.css giving the bars their colour (`series-ok`, `series-bad`, `series-neutral`). */
  className: string
  values: readonly number[]
}

// Drawn at about its own size (styles.css caps its width), so the 11px labels stay readable.
const WIDTH = 400
const HEIGHT = 150
const LEFT = 30
const BOTTOM = 20
const TOP = 8

/**
 * Stacked bars in plain SVG drawn by React: no chart library, no script or style from elsewhere
 * (the console's CSP allows neither). For screen readers the figure is summarised in its caption
 * and the numbers are in a visually hidden table; the SVG itself is hidden from them.
 */
export function BarChart(props: {
  title: string
  /** Each bar's time (its key) and label (hour or day), the label shown every `labelEvery` bars. */
  points: readonly { at: string; label: string }[]
  series: readonly ChartSeries[]
  labelEvery: number
  testId?: string
}) {
  const captionId = useId()
  const totals = stackTotals(props.series.map((series) => series.values))
  const scale = scaleFor(totals)
  const plotWidth = WIDTH - LEFT
  const plotHeight = HEIGHT - BOTTOM - TOP
  const slot = plotWidth / Math.max(1, props.points.length)
  const bar = Math.max(1, slot * 0.7)
  const y = (value: number) => TOP + plotHeight - (value / scale.max) * plotHeight
  const sums = props.series.map((series) => series.values.reduce((a, b) => a + b, 0))
  return (
    <figure className="chart" aria-labelledby={captionId} data-testid={props.testId}>
      <figcaption id={captionId}>
        <strong>{props.title}</strong>{' '}
        <span className="legend">
          {props.series.map((series, index) => (
            <span key={series.name} className="legend-item">
              <span className={`swatch ${series.className}`} aria-hidden="true" /> {series.name}: {sums[index]}
            </span>
          ))}
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="presentation" aria-hidden="true" focusable="false">
        {scale.ticks.map((tick) => (
          <g key={tick} className="grid">
            <line x1={LEFT} x2={WIDTH} y1={y(tick)} y2={y(tick)} />
            <text x={LEFT - 4} y={y(tick) + 4} textAnchor="end">
              {tick}
            </text>
          </g>
        ))}
        {props.points.map(({ at, label }, index) => {
          const x = LEFT + index * slot + (slot - bar) / 2
          let base = 0
          return (
            <g key={at}>
              {props.series.map((series) => {
                const value = series.values[index] ?? 0
                const rect =
                  value > 0 ? (
                    <rect
                      key={series.name}
                      className={series.className}
                      x={x}
                      width={bar}
                      y={y(base + value)}
                      height={y(base) - y(base + value)}
                    />
                  ) : null
                base += value
                return rect
              })}
              {index % props.labelEvery === 0 ? (
                <text className="axis" x={x + bar / 2} y={HEIGHT - 4} textAnchor="middle">
                  {label}
                </text>
              ) : null}
            </g>
          )
        })}
      </svg>
      <table className="sr-only">
        <caption>{props.title}</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            {props.series.map((series) => (
              <th scope="col" key={series.name}>
                {series.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.points.map(({ at, label }, index) => (
            <tr key={at}>
              <th scope="row">{label}</th>
              {props.series.map((series) => (
                <td key={series.name}>{series.values[index] ?? 0}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  )
}
