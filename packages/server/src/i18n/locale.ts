/**
 * Choosing the language of a page or a message (issue 12 part 6): the OIDC `ui_locales` of the
 * authorization request first (OIDC Core §3.1.2.1: space-separated BCP 47 tags, most preferred
 * first), then the browser's `Accept-Language` (RFC 9110 §12.5.4, with q-values), then the
 * configured default. Tags are matched by RFC 4647 §3.4 lookup: `fr-CA` falls back to `fr`.
 */

/** A header this long is not a browser's; only its start is read. */
const MAX_HEADER = 1024
const MAX_RANGES = 32

/** The language ranges of an `Accept-Language` header, most preferred first; `q=0` means "not this". */
export function parseAcceptLanguage(header: string | undefined): string[] {
  if (!header) return []
  const ranges: { tag: string; q: number; index: number }[] = []
  for (const [index, item] of header.slice(0, MAX_HEADER).split(',').slice(0, MAX_RANGES).entries()) {
    const [rawTag, ...params] = item.trim().split(';')
    const tag = rawTag?.trim().toLowerCase() ?? ''
    if (!/^(\*|[a-z]{1,8}(-[a-z0-9]{1,8})*)$/.test(tag)) continue
    let q = 1
    for (const param of params) {
      if (!/^\s*q\s*=/i.test(param)) continue
      // RFC 9110 §12.4.2: a weight is 0 to 1 with at most three decimals; anything else is not one.
      const match = /^\s*q\s*=\s*([01](\.\d{0,3})?)\s*$/i.exec(param)
      q = match ? Number(match[1]) : -1
    }
    if (q > 0 && q <= 1) ranges.push({ tag, q, index })
  }
  // Stable: equal weights keep the order the client wrote them in.
  return ranges.sort((a, b) => b.q - a.q || a.index - b.index).map((range) => range.tag)
}

/** The tags of `ui_locales`, in the order given. */
export function parseUiLocales(value: string | null | undefined): string[] {
  if (!value) return []
  return value
    .slice(0, MAX_HEADER)
    .split(/\s+/)
    .map((tag) => tag.toLowerCase())
    .filter((tag) => /^[a-z]{1,8}(-[a-z0-9]{1,8})*$/.test(tag))
    .slice(0, MAX_RANGES)
}

/** RFC 4647 §3.4 lookup of one range against the supported locales: `de-AT-x` → `de-at` → `de`. */
function lookup<L extends string>(range: string, supported: readonly L[]): L | null {
  let candidate = range
  for (;;) {
    const found = supported.find((locale) => locale.toLowerCase() === candidate)
    if (found) return found
    const cut = candidate.lastIndexOf('-')
    if (cut < 0) return null
    candidate = candidate.slice(0, cut)
  }
}

/** The first supported locale the request asks for, or undefined (the configured default applies later). */
export function requestedLocale<L extends string>(
  supported: readonly L[],
  input: { uiLocales?: string | null; acceptLanguage?: string | undefined },
): L | undefined {
  for (const range of [...parseUiLocales(input.uiLocales), ...parseAcceptLanguage(input.acceptLanguage)]) {
    if (range === '*') return undefined
    const found = lookup(range, supported)
    if (found) return found
  }
  return undefined
}

/** The first supported locale of `ui_locales`, then of `Accept-Language`, else the fallback. */
export function negotiateLocale<L extends string>(
  supported: readonly L[],
  input: { uiLocales?: string | null; acceptLanguage?: string | undefined; fallback: L },
): L {
  for (const range of [...parseUiLocales(input.uiLocales), ...parseAcceptLanguage(input.acceptLanguage)]) {
    if (range === '*') return input.fallback
    const found = lookup(range, supported)
    if (found) return found
  }
  return input.fallback
}
