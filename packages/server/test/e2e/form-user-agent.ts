// A user agent without a browser, for end-to-end tests of Tessera's hosted pages: it keeps the
// cookies Tessera sets, follows redirects by hand while they stay on Tessera's origin, submits the
// pages' forms with the Origin and Sec-Fetch-Site headers a browser sends, and stops when Tessera
// sends the browser elsewhere (back to the app), handing that URL to the test.

export type Step =
  /** A page Tessera rendered, with its referrer policy (its <meta name="referrer">, else its header). */
  | { kind: 'page'; url: URL; status: number; html: string; referrerPolicy: string | null }
  /** A redirect off Tessera's origin: where the browser would go next. */
  | { kind: 'left'; location: URL }

const MAX_REDIRECTS = 10

export class FormUserAgent {
  readonly cookies = new Map<string, string>()

  constructor(readonly origin: string) {}

  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }

  /** A top-level GET navigation (Sec-Fetch-Site none: typed or followed from another site). */
  navigate(url: string | URL): Promise<Step> {
    return this.follow(new URL(url), { method: 'GET' }, 'none')
  }

  /** Follows the first link whose text is `text` on `page`. */
  clickLink(page: Step, text: string): Promise<Step> {
    const html = pageHtml(page)
    const link = [...html.matchAll(/<a\s[^>]*href="([^"]*)"[^>]*>([^<]*)<\/a>/g)].find((match) => decode(match[2] ?? '') === text)
    if (!link) throw new Error(`no link "${text}" on ${html}`)
    return this.follow(new URL(decode(link[1] ?? ''), this.origin), { method: 'GET' }, 'same-origin')
  }

  /**
   * Submits the form posting to `action` on `page`, with its hidden inputs, `fields`, and the value
   * of the submit button named `button` (name=value) if given.
   */
  submit(page: Step, action: string, fields: Record<string, string> = {}, button?: [string, string]): Promise<Step> {
    const html = pageHtml(page)
    const form = [...html.matchAll(/<form\s[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)].find(
      (match) => decode(match[1] ?? '') === action,
    )
    if (!form) throw new Error(`no form posting to ${action} on ${html}`)
    const body = new URLSearchParams()
    for (const input of (form[2] ?? '').matchAll(/<input\s[^>]*type="hidden"[^>]*>/g)) {
      const name = /name="([^"]*)"/.exec(input[0])?.[1]
      const value = /value="([^"]*)"/.exec(input[0])?.[1]
      if (name !== undefined) body.append(decode(name), decode(value ?? ''))
    }
    for (const [name, value] of Object.entries(fields)) body.set(name, value)
    if (button) body.set(button[0], button[1])
    // Fetch, "serializing a request origin": under referrer policy no-referrer a browser sends
    // `Origin: null`, even for a same-origin form post.
    const origin = page.kind === 'page' && page.referrerPolicy === 'no-referrer' ? 'null' : this.origin
    const init: RequestInit = {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
      body: body.toString(),
    }
    return this.follow(new URL(action, this.origin), init, 'same-origin')
  }

  private async follow(url: URL, init: RequestInit, site: string): Promise<Step> {
    let next = url
    let request = init
    for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
      if (next.origin !== this.origin) return { kind: 'left', location: next }
      const headers = new Headers(request.headers)
      // Every hop stays on Tessera's origin, so the initiator's relation to it holds along the chain.
      headers.set('sec-fetch-site', site)
      if (this.cookies.size > 0) headers.set('cookie', this.cookieHeader())
      const response = await fetch(next, { ...request, headers, redirect: 'manual' })
      this.store(response)
      const location = response.headers.get('location')
      if (response.status < 300 || response.status >= 400 || location === null) {
        const html = await response.text()
        // HTML §4.2.5.3: a <meta name="referrer"> overrides the Referrer-Policy header.
        const meta = /<meta name="referrer" content="([^"]*)"/.exec(html)?.[1]
        const referrerPolicy = meta ?? response.headers.get('referrer-policy')
        return { kind: 'page', url: next, status: response.status, html, referrerPolicy }
      }
      await response.body?.cancel()
      next = new URL(location, next)
      // 303 (and, as browsers do, 301/302 after a POST) turn into a GET.
      if (response.status !== 307 && response.status !== 308) request = { method: 'GET' }
    }
    throw new Error(`more than ${MAX_REDIRECTS} redirects from ${url.href}`)
  }

  private store(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = header.split(';').map((part) => part.trim())
      const name = pair.slice(0, pair.indexOf('='))
      const value = pair.slice(pair.indexOf('=') + 1)
      const expired = attributes.some((attribute) => /^max-age=(0|-)/i.test(attribute))
      if (expired || value === '') this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
  }
}

export function pageHtml(step: Step): string {
  if (step.kind !== 'page') throw new Error(`expected a page, but the browser was sent to ${step.location.href}`)
  return step.html
}

/** The text of the page's first <h1>. */
export function heading(step: Step): string {
  return decode(/<h1[^>]*>([\s\S]*?)<\/h1>/.exec(pageHtml(step))?.[1]?.replace(/<[^>]+>/g, '') ?? '')
}

function decode(text: string): string {
  return text.replace(
    /&(amp|lt|gt|quot|#39);/g,
    (_, entity: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[entity] ?? '',
  )
}
