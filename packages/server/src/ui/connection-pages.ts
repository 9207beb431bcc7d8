import { type Html, html } from './html.js'

/** A connection as the sign-in page offers it. */
export interface OfferedConnection {
  id: string
  name: string
}

/** "Continue with …" links of the sign-in page (issue 15): each starts the upstream round trip of this flow. */
export function continueWith(requestId: string, connections: readonly OfferedConnection[]): Html {
  if (connections.length === 0) return html``
  return html`<div class="connections">
<p class="alt">or</p>
${connections.map(
  (connection) =>
    html`<p><a class="button secondary" href="/ui/connections/${connection.id}/start?request=${requestId}">Continue with ${connection.name}</a></p>`,
)}
</div>`
}

/** The notice above the sign-in form when an upstream identity waits for proof of an existing account. */
export function linkNotice(link: { connectionName: string; email: string } | null): Html {
  if (!link) return html``
  return html`<p class="notice" role="status">An account with <strong>${link.email}</strong> already exists. Sign in to it to link your ${link.connectionName} account; nothing is linked until you do.</p>`
}
