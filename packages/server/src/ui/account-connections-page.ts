import type { Translator } from '../i18n/translator.js'
import { type Html, html, layout } from './html.js'
import { ENGLISH } from './page-translator.js'
import { rich } from './rich-text.js'

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
  t?: Translator
}): Html {
  const t = input.t ?? ENGLISH
  return layout(
    t.t('accountConnections.title'),
    html`<h1>${t.t('accountConnections.title')}</h1>
<p class="lead">${rich(t, 'accountConnections.signedInAs', { email: input.email })}</p>
${input.error ? html`<p class="alert" role="alert">${input.error}</p>` : html``}
${input.message ? html`<p class="notice" role="status">${input.message}</p>` : html``}
<p>${t.t(input.hasPassword ? 'accountConnections.hasPassword' : 'accountConnections.noPassword')}</p>
${
  input.linked.length === 0
    ? html`<p>${t.t('accountConnections.none')}</p>`
    : html`<ul class="scopes">
${input.linked.map(
  (
    identity,
  ) => html`<li><strong>${identity.connectionName}</strong>${identity.email ? html` (${identity.email})` : html``}, ${t.t('accountConnections.linkedOn', { date: identity.linkedAt })}
<form method="post" action="/ui/account/connections/unlink">
<input type="hidden" name="csrf" value="${input.csrf}">
<input type="hidden" name="identity" value="${identity.id}">
<button type="submit" class="secondary">${t.t('accountConnections.unlink', { name: identity.connectionName })}</button>
</form></li>`,
)}
</ul>`
}
${input.available.map(
  (connection) =>
    html`<p><a class="button secondary" href="/ui/account/connections/${connection.id}/link">${t.t('accountConnections.link', { name: connection.name })}</a></p>`,
)}`,
    t.locale,
  )
}
