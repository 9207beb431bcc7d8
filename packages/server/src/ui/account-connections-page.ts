import { type Html, html, layout } from './html.js'

export interface LinkedIdentityView {
  id: string
  connectionName: string
  email: string | null
  linkedAt: string
}

/**
 * `/ui/account/connections` (issue 15 §3): the upstream providers linked to the signed-in account,
 * each with an Unlink button, and the others with a Link link. Unlinking the last way to sign in is
 * refused by the service; the page says so.
 */
export function accountConnectionsPage(input: {
  email: string
  csrf: string
  linked: readonly LinkedIdentityView[]
  available: readonly { id: string; name: string }[]
  hasPassword: boolean
  message: string | null
  error: string | null
}): Html {
  return layout(
    'Sign-in methods',
    html`<h1>Sign-in methods</h1>
<p class="lead">Signed in as <strong>${input.email}</strong></p>
${input.error ? html`<p class="alert" role="alert">${input.error}</p>` : html``}
${input.message ? html`<p class="notice" role="status">${input.message}</p>` : html``}
<p>${input.hasPassword ? 'You can sign in with your password.' : 'This account has no password.'}</p>
${
  input.linked.length === 0
    ? html`<p>No other identity provider is linked.</p>`
    : html`<ul class="scopes">
${input.linked.map(
  (
    identity,
  ) => html`<li><strong>${identity.connectionName}</strong>${identity.email ? html` (${identity.email})` : html``}, linked ${identity.linkedAt}
<form method="post" action="/ui/account/connections/unlink">
<input type="hidden" name="csrf" value="${input.csrf}">
<input type="hidden" name="identity" value="${identity.id}">
<button type="submit" class="secondary">Unlink ${identity.connectionName}</button>
</form></li>`,
)}
</ul>`
}
${input.available.map(
  (connection) => html`<p><a class="button secondary" href="/ui/account/connections/${connection.id}/link">Link ${connection.name}</a></p>`,
)}`,
  )
}
