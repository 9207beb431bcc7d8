import { type BrowserContext, chromium } from 'playwright-core'

/** Debian's Chromium: the browser tests never download one (playwright-core only drives it). */
const CHROMIUM = '/usr/bin/chromium'

/**
 * Headless Chromium with a fresh profile in `profileDir`. The flags keep it off the network it
 * would otherwise call at start (this machine's network is closed) and out of the sandbox that
 * needs privileges a test run does not have.
 */
export function launchChromium(profileDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}
