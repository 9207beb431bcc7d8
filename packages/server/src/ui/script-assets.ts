import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

/** The scripts the hosted pages load, from this origin only (script-src 'self', docs/mfa.md). */
export interface ScriptAssets {
  /** @simplewebauthn/browser's UMD bundle (the version in package.json, matching the server's 13.x API). */
  webauthn: string
  /** Our passkey ceremonies (src/ui/assets/passkeys.js). */
  passkeys: string
}

export const SCRIPT_PATHS = { webauthn: '/ui/assets/simplewebauthn-browser.js', passkeys: '/ui/assets/passkeys.js' } as const

/** Read once at start-up: the files are part of the install, and a missing one fails the start, not a page. */
export function loadScriptAssets(): ScriptAssets {
  const entry = createRequire(import.meta.url).resolve('@simplewebauthn/browser')
  // The package's CommonJS entry is script/index.js; the browser bundle sits beside it in dist/.
  const root = dirname(dirname(entry))
  return {
    webauthn: readFileSync(join(root, 'dist', 'bundle', 'index.umd.min.js'), 'utf8'),
    // From src/ui (tests) and dist/ui (the build) alike: the asset ships in src/ui/assets.
    passkeys: readFileSync(new URL('../../src/ui/assets/passkeys.js', import.meta.url), 'utf8'),
  }
}
