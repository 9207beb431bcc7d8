import { type FormEvent, useEffect, useState } from 'react'
import { AdminApiError } from '../api/admin-client.js'
import type { User } from '../api/admin-types.js'
import { asError } from '../ui/as-error.js'
import { useCanWrite, useConsole } from '../ui/console-context.js'
import { DataTable } from '../ui/data-table.js'
import { ErrorNote, Link, Loading, When } from '../ui/widgets.js'
import { NewPasswordForm } from './new-password-form.js'

const PAGE_SIZE = '50'

type Sort = 'id' | 'email' | '-email'
const SORTS: { value: Sort; label: string }[] = [
  { value: 'id', label: 'Id' },
  { value: 'email', label: 'Email, A to Z' },
  { value: '-email', label: 'Email, Z to A' },
]

/** Users: search by email (contains) or by id (usr_…), newest pages loaded on demand. */
export function UsersPage() {
  const { api, navigate } = useConsole()
  const canWrite = useCanWrite()
  const [creating, setCreating] = useState(false)
  const [email, setEmail] = useState('')
  const [query, setQuery] = useState('')
  const [users, setUsers] = useState<User[] | null>(null)
  const [next, setNext] = useState<string | null>(null)
  const [loading, setLoading] = useState(false)
  const [error, setError] = useState<Error | null>(null)
  const [searched, setSearched] = useState<string | null>(null)
  const [sort, setSort] = useState<Sort>('id')

  async function load(search: string, cursor: string | null, order: Sort = sort) {
    setLoading(true)
    setError(null)
    try {
      if (/^usr_[A-Za-z0-9_-]+$/.test(search)) {
        // An id: one user or none.
        try {
          const { user } = await api.get<{ user: User }>(`/users/${encodeURIComponent(search)}`)
          setUsers([user])
        } catch (caught) {
          if (!(caught instanceof AdminApiError) || caught.status !== 404) throw caught
          setUsers([])
        }
        setNext(null)
      } else {
        const page = await api.get<{ users: User[]; nextCursor: string | null }>('/users', {
          search: search || undefined,
          sort: order === 'id' ? undefined : order,
          limit: PAGE_SIZE,
          cursor: cursor ?? undefined,
        })
        setUsers((previous) => (cursor && previous ? [...previous, ...page.users] : page.users))
        setNext(page.nextCursor)
      }
      setSearched(search)
    } catch (caught) {
      setError(asError(caught))
    } finally {
      setLoading(false)
    }
  }

  // biome-ignore lint/correctness/useExhaustiveDependencies: the first page, once.
  useEffect(() => {
    void load('', null)
  }, [])

  const submit = (event: FormEvent) => {
    event.preventDefault()
    void load(query.trim(), null)
  }

  return (
    <>
      <h1>Users</h1>
      <search>
        <form className="search" onSubmit={submit}>
          <label htmlFor="user-search">Email or user id</label>
          <input
            id="user-search"
            type="search"
            value={query}
            onChange={(event) => setQuery(event.target.value)}
            placeholder="ann@ or usr_…"
          />
          <button type="submit">Search</button>
          <label htmlFor="user-sort">Sort by</label>
          <select
            id="user-sort"
            value={sort}
            onChange={(event) => {
              const order = event.target.value as Sort
              setSort(order)
              void load(searched ?? '', null, order)
            }}
          >
            {SORTS.map((each) => (
              <option key={each.value} value={each.value}>
                {each.label}
              </option>
            ))}
          </select>
        </form>
      </search>
      {canWrite && !creating ? (
        <button type="button" onClick={() => setCreating(true)}>
          New user
        </button>
      ) : null}
      {creating ? (
        <section className="card" aria-labelledby="new-user-heading">
          <h2 id="new-user-heading">New user</h2>
          <label htmlFor="new-user-email">Email</label>
          <input id="new-user-email" type="email" autoComplete="off" value={email} onChange={(event) => setEmail(event.target.value)} />
          <NewPasswordForm
            id="new-user-password"
            label="Password"
            submit="Create user"
            onSubmit={async (password) => {
              const { user } = await api.post<{ user: User }>('/users', { email, password })
              navigate({ page: 'user', id: user.id })
            }}
          />
          <button type="button" onClick={() => setCreating(false)}>
            Cancel
          </button>
        </section>
      ) : null}
      <ErrorNote error={error} />
      <DataTable
        caption="Users"
        rows={users}
        rowKey={(user) => user.id}
        empty={searched ? `No user matches “${searched}”.` : 'No users yet.'}
        columns={[
          { header: 'Email', cell: (user) => <Link to={{ page: 'user', id: user.id }}>{user.email}</Link> },
          { header: 'Status', cell: (user) => <span className={`status ${user.status}`}>{user.status}</span> },
          { header: 'Created', cell: (user) => <When iso={user.createdAt} /> },
          { header: 'Id', cell: (user) => <code>{user.id}</code> },
        ]}
      />
      <Loading loading={loading} />
      {next && !loading ? (
        <button type="button" onClick={() => void load(searched ?? '', next)}>
          Load more
        </button>
      ) : null}
    </>
  )
}
