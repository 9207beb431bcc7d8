/**
 * Icons of the "Continue with …" buttons (issue 15), under the hosted pages' CSP
 * (docs/connections.md "Icons"). Two sources only, each an image and never a script:
 * - a preset without an icon of its operator's gets a plain mark of ours, served from our own
 *   origin (`img-src 'self'`): a letter on the provider's colour, not the provider's logo;
 * - an operator's `iconUrl` is shown only if it is https, and the page that shows it adds that
 *   URL's origin, and nothing else, to `img-src`. An image cannot run script (an SVG loaded by
 *   `<img>` runs none), no other directive widens, and the request carries no referrer.
 */

const mark = (colour: string, letter: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 20"><rect width="20" height="20" rx="4" fill="${colour}"/><text x="10" y="14.5" font-family="Arial,Helvetica,sans-serif" font-size="13" font-weight="700" fill="#fff" text-anchor="middle">${letter}</text></svg>
`

/** Our marks for the presets, served at /ui/assets/connections/{preset}.svg. */
export const PRESET_ICONS: Readonly<Record<string, string>> = {
  google: mark('#1a73e8', 'G'),
  microsoft: mark('#2f2f2f', 'M'),
  github: mark('#24292f', 'G'),
  gitlab: mark('#e24329', 'G'),
}

export const presetIconPath = (preset: string) => `/ui/assets/connections/${preset}.svg`

/** An https origin as a CSP host-source: a plain host name and port, nothing a policy could be broken with. */
const SAFE_ORIGIN = /^https:\/\/[a-z0-9.-]+(:\d{1,5})?$/

/**
 * The icon a connection shows, if any: its operator's https URL (with the origin the page must
 * allow in `img-src`), else our mark for its preset, else none.
 */
export function connectionIcon(connection: {
  preset: string | null
  iconUrl: string | null
}): { src: string; origin: string | null } | null {
  if (connection.iconUrl !== null) {
    try {
      const url = new URL(connection.iconUrl)
      if (url.protocol === 'https:' && SAFE_ORIGIN.test(url.origin)) return { src: url.href, origin: url.origin }
    } catch {
      // Not a URL: shown as none (the service refuses such a URL; this is the page's own guard).
    }
  }
  if (connection.preset !== null && Object.hasOwn(PRESET_ICONS, connection.preset))
    return { src: presetIconPath(connection.preset), origin: null }
  return null
}

/** The origins a page showing these icons must allow in `img-src`, each once. */
export function iconOrigins(icons: readonly ({ origin: string | null } | null)[]): string[] {
  return [...new Set(icons.flatMap((icon) => (icon?.origin ? [icon.origin] : [])))]
}
