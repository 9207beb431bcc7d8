import type { FastifyReply } from 'fastify'

/** OWASP XSS Prevention Cheat Sheet, rule 1: escape everything placed in HTML text or attributes. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`=]/g, (char) => `&#${char.charCodeAt(0)};`)
}

/** A tagged template whose interpolations are escaped, unless they are already `Html`. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value
  }
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] as string
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] as string)
  })
  return new Html(out)
}

function render(value: unknown): string {
  if (value instanceof Html) return value.value
  if (Array.isArray(value)) return value.map(render).join('')
  if (value === null || value === undefined || value === false) return ''
  return escapeHtml(String(value))
}

/**
 * The one layout: one stylesheet, no inline script or style (pages with passkeys load our own
 * scripts, from /ui/assets under script-src 'self'). The document's referrer policy is
 * same-origin, not the header's no-referrer: under no-referrer a browser sends `Origin: null` on
 * the page's own form posts (Fetch, "serializing a request origin"), which the cross-site check
 * refuses. same-origin still sends nothing to the client the browser is redirected to.
 */
export function layout(title: string, body: Html, lang = 'en', scripts: readonly string[] = []): Html {
  return html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${title} · Tessera</title>
<link rel="stylesheet" href="/ui/assets/tessera.css">
<link rel="icon" href="/ui/assets/favicon.svg" type="image/svg+xml">
${scripts.map(
  (src) => html`<script src="${src}" defer></script>
`,
)}</head>
<body>
<main class="card">
${body}
</main>
</body>
</html>
`
}

/**
 * CSP Level 3 with nothing allowed by default: our stylesheet, our images, forms posting to us
 * (and, when a form's answer redirects to the client, the client's origin, which form-action also
 * governs in browsers that check redirects), no framing (clickjacking), no base URI.
 */
export function contentSecurityPolicy(formTargets: string[] = [], scripts = false, images: readonly string[] = []): string {
  return [
    "default-src 'none'",
    "style-src 'self'",
    // Issue 15: the https origins of the connection icons a sign-in page shows (ui/connection-icons.ts).
    `img-src 'self'${images.map((origin) => ` ${origin}`).join('')}`,
    // Pages with passkeys run our own scripts (never inline) and call our own API (docs/mfa.md).
    ...(scripts ? ["script-src 'self'", "connect-src 'self'"] : []),
    `form-action 'self'${formTargets.map((target) => ` ${target}`).join('')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ')
}

/**
 * The CSP source for where a redirect URI lives: its origin, a loopback host with any port
 * (RFC 8252 §7.3), or a private-use scheme (RFC 8252 §7.1).
 */
export function cspSourceOf(redirectUri: string): string | null {
  let url: URL
  try {
    url = new URL(redirectUri)
  } catch {
    return null
  }
  if (url.protocol === 'https:' || url.protocol === 'http:') {
    if (url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === '[::1]')) return `http://${url.hostname}:*`
    return url.origin
  }
  return /^[a-z][a-z0-9+.-]*:$/.test(url.protocol) ? url.protocol : null
}

/** Sends a hosted page with its security headers; pages are never cached. */
export function sendPage(
  reply: FastifyReply,
  status: number,
  page: Html,
  formTargets: string[] = [],
  scripts = false,
  images: readonly string[] = [],
): FastifyReply {
  return reply
    .code(status)
    .header('content-security-policy', contentSecurityPolicy(formTargets, scripts, images))
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(page.value)
}
