import type { ReactNode } from 'react'
import { Empty } from './widgets.js'

export interface Column<T> {
  header: string
  cell: (row: T) => ReactNode
  /** A data-testid on the column's cells, for the end-to-end test. */
  testId?: string
}

/**
 * A list as an accessible table (a caption for screen readers, column headers with scope), in a
 * wrapper that scrolls sideways on a narrow screen; the empty state when there are no rows, and
 * nothing while they load. A column given as `false` is left out (a write action for a read-only operator).
 */
export function DataTable<T>(props: {
  caption: string
  rows: readonly T[] | null
  rowKey: (row: T) => string
  columns: readonly (Column<T> | false)[]
  empty: ReactNode
}) {
  if (props.rows === null) return null
  if (props.rows.length === 0) return <Empty>{props.empty}</Empty>
  const columns = props.columns.filter((column): column is Column<T> => column !== false)
  return (
    <div className="table-wrap">
      <table>
        <caption className="sr-only">{props.caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th scope="col" key={column.header}>
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => (
            <tr key={props.rowKey(row)}>
              {columns.map((column) => (
                <td key={column.header} data-testid={column.testId}>
                  {column.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
