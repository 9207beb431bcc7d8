import type { Translator } from '../i18n/translator.js'
import { type Html, html } from './html.js'
import { ENGLISH } from './page-translator.js'
import { rich } from './rich-text.js'

/** A connection as the sign-in page offers it. */
export interface OfferedConnection {
  id: string
  name: string
  /** Its icon (ui/connection-icons.ts); the page's CSP must allow its origin. */
  icon: { src: string } | null
}

/** "Continue with …" links of the sign-in page (issue 15): each starts the upstream round trip of this flow. */
export function continueWith(requestId: string, connections: readonly OfferedConnection[], t: Translator = ENGLISH): Html {
  if (connections.length === 0) return html``
  return html`<div class="connections">
<p class="alt">${t.t('connections.or')}</p>
${connections.map(
  (connection) =>
    html`<p><a class="button secondary" href="/ui/connections/${connection.id}/start?request=${requestId}">${
      connection.icon
        ? html`<img class="connection-icon" src="${connection.icon.src}" alt="" width="20" height="20" referrerpolicy="no-referrer"> `
        : html``
    }${t.t('connections.continueWith', { name: connection.name })}</a></p>`,
)}
</div>`
}

/** The notice above the sign-in form when an upstream identity waits for proof of an existing account. */
export function linkNotice(link: { connectionName: string; email: string } | null, t: Translator = ENGLISH): Html {
  if (!link) return html``
  return html`<p class="notice" role="status">${rich(t, 'connections.linkNotice', { email: link.email, connection: link.connectionName })}</p>`
}

/**
 * The last hop of an upstream sign-in, back to the application, as a page that moves on by itself
 * (a meta refresh, no script) rather than a redirect. A browser applies the CSP `form-action` of
 * the page whose form started a navigation to every redirect that follows it: when the upstream's
 * sign-in form (another Tessera's, say) sent the browser to our callback, a redirect from there to
 * the application would be checked against the upstream's policy and blocked. A page ends that
 * chain; the next navigation is ours.
 */
export function continueToApplicationPage(url: string, t: Translator = ENGLISH, outcome: 'signedIn' | 'back' = 'signedIn'): Html {
  const title = t.t(outcome === 'signedIn' ? 'connections.signedIn.title' : 'connections.back.title')
  const action = t.t(outcome === 'signedIn' ? 'connections.signedIn.continue' : 'connections.back.continue')
  return html`<!doctype html>
<html lang="${t.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta http-equiv="refresh" content="0;url=${url}">
<title>${title} · Tessera</title>
<link rel="stylesheet" href="/ui/assets/tessera.css">
</head>
<body>
<main class="card">
<h1>${title}</h1>
<p><a class="button" href="${url}">${action}</a></p>
</main>
</body>
</html>
`
}
