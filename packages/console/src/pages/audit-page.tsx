import { type FormEvent, useEffect, useState } from 'react'
import type { AuditEntry } from '../api/admin-types.js'
import { type AuditFilter, auditQuery, mergeNewer, NO_FILTER } from '../audit-filter.js'
import { asError } from '../ui/as-error.js'
import { useConsole } from '../ui/console-context.js'
import { DataTable } from '../ui/data-table.js'
import { ErrorNote, Link, Loading, When } from '../ui/widgets.js'

const ACTOR_KINDS = ['user', 'application', 'cli', 'system', 'anonymous']
/** How often the live tail asks for the newest page. */
const TAIL_INTERVAL_MS = 3000

/** The audit log, newest first: filters, and older pages on demand. */
export function AuditPage() {
  const { api } = useConsole()
  const [filter, setFilter] = useState<AuditFilter>(NO_FILTER)
  const [entries, setEntries] = useState<AuditEntry[] | null>(null)
  const [next, setNext] = useState<string | null>(null)
  const [applied, setApplied] = useState<Record<string, string>>({})
  const [loading, setLoading] = useState(false)
  const [error, setError] = useState<Error | null>(null)
  const [live, setLive] = useState(false)
  const [arrived, setArrived] = useState(0)

  async function load(query: Record<string, string>, cursor: string | null) {
    setLoading(true)
    setError(null)
    try {
      const page = await api.get<{ entries: AuditEntry[]; nextCursor: string | null }>('/audit', {
        ...query,
        limit: '50',
        ...(cursor ? { cursor } : {}),
      })
      setEntries((previous) => (cursor && previous ? [...previous, ...page.entries] : page.entries))
      setNext(page.nextCursor)
      setApplied(query)
    } catch (caught) {
      setError(asError(caught))
    } finally {
      setLoading(false)
    }
  }

  // biome-ignore lint/correctness/useExhaustiveDependencies: the newest page, once.
  useEffect(() => {
    void load({}, null)
  }, [])

  // The live tail: the newest page of the applied filter, every few seconds, merged on top.
  useEffect(() => {
    if (!live) return
    let stopped = false
    const timer = setInterval(async () => {
      try {
        const page = await api.get<{ entries: AuditEntry[] }>('/audit', { ...applied, limit: '50' })
        if (stopped) return
        setEntries((shown) => {
          const merged = mergeNewer(shown ?? [], page.entries)
          if (merged.added > 0) setArrived((count) => count + merged.added)
          return merged.entries
        })
      } catch (caught) {
        if (!stopped) setError(asError(caught))
      }
    }, TAIL_INTERVAL_MS)
    return () => {
      stopped = true
      clearInterval(timer)
    }
  }, [live, applied, api])

  const submit = (event: FormEvent) => {
    event.preventDefault()
    const { query, error: invalid } = auditQuery(filter)
    if (invalid) {
      setError(new Error(invalid))
      return
    }
    void load(query, null)
  }
  const field = (name: keyof AuditFilter) => ({
    value: filter[name],
    onChange: (event: { target: { value: string } }) => setFilter({ ...filter, [name]: event.target.value }),
  })

  return (
    <>
      <h1>Audit log</h1>
      <form className="filters" onSubmit={submit} aria-label="Filter the audit log">
        <label>
          Actor kind
          <select {...field('actorKind')}>
            <option value="">any</option>
            {ACTOR_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {kind}
              </option>
            ))}
          </select>
        </label>
        <label>
          Actor id
          <input {...field('actorId')} />
        </label>
        <label>
          Action
          <input {...field('action')} placeholder="sign_in.failed" />
        </label>
        <label>
          User id
          <input {...field('userId')} placeholder="usr_…" />
        </label>
        <label>
          Since
          <input type="datetime-local" {...field('since')} />
        </label>
        <label>
          Until
          <input type="datetime-local" {...field('until')} />
        </label>
        <button type="submit">Filter</button>
      </form>
      <p className="inline">
        <button
          type="button"
          aria-pressed={live}
          onClick={() => {
            setArrived(0)
            setLive(!live)
          }}
        >
          {live ? 'Stop live tail' : 'Live tail'}
        </button>
        <span aria-live="polite" data-testid="tail-status">
          {live ? `Following new entries${arrived > 0 ? `: ${arrived} arrived` : ''}.` : ''}
        </span>
      </p>
      <ErrorNote error={error} />
      <DataTable
        caption="Audit entries, newest first"
        rows={entries}
        rowKey={(entry) => entry.id}
        empty={Object.keys(applied).length > 0 ? 'No entry matches.' : 'No entries yet.'}
        columns={[
          { header: 'When', cell: (entry) => <When iso={entry.occurredAt} /> },
          { header: 'Actor', testId: 'audit-actor', cell: (entry) => <Actor actor={entry.actor} /> },
          { header: 'Action', testId: 'audit-action', cell: (entry) => <code>{entry.action}</code> },
          { header: 'Target', cell: (entry) => (entry.target ? `${entry.target.type} ${entry.target.id}` : '—') },
          { header: 'User', cell: (entry) => (entry.userId ? <Link to={{ page: 'user', id: entry.userId }}>{entry.userId}</Link> : '—') },
          { header: 'IP', cell: (entry) => entry.ip ?? '—' },
        ]}
      />
      <Loading loading={loading} />
      {next && !loading ? (
        <button type="button" onClick={() => void load(applied, next)}>
          Older entries
        </button>
      ) : null}
    </>
  )
}

/** Who acted: a user links to their page; an application or another kind is named. */
function Actor(props: { actor: AuditEntry['actor'] }) {
  const { kind, id } = props.actor
  if (!id) return <>{kind}</>
  return (
    <>
      {kind} {kind === 'user' ? <Link to={{ page: 'user', id }}>{id}</Link> : <code>{id}</code>}
    </>
  )
}
