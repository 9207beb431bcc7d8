import type { ApplicationType } from '../api/admin-types.js'

export const TYPES: { type: ApplicationType; label: string; hint: string }[] = [
  { type: 'web', label: 'Web app', hint: 'A server-side app that keeps a secret; signs users in with a redirect.' },
  { type: 'spa', label: 'Single-page app', hint: 'Runs in the browser, keeps no secret; authorization code with PKCE.' },
  { type: 'native', label: 'Native app', hint: 'A mobile or desktop app; loopback or private-scheme redirect URIs.' },
  { type: 'm2m', label: 'Machine to machine', hint: 'A service with a secret and no user: client credentials.' },
  { type: 'resource-server', label: 'Resource server', hint: 'An API that introspects tokens or reads the revocation feed.' },
]

export function typeLabel(type: ApplicationType): string {
  return TYPES.find((each) => each.type === type)?.label ?? type
}

/** One URI per line (or separated by spaces), blanks dropped. */
export function splitList(text: string): string[] {
  return text
    .split(/\s+/)
    .map((line) => line.trim())
    .filter(Boolean)
}
