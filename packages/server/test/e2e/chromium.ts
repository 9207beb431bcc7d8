import { type BrowserContext, chromium } from 'playwright-core'
import type { Cleanup } from './cleanup.js'
import { exitWithin } from './tessera-process.js'

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

/** Headless Chromium with a fresh profile, closed after the test (before its profile is removed). */
export async function openChromium(cleanup: Cleanup): Promise<BrowserContext> {
  const context = await launchChromium(cleanup.tempDir('tessera-chromium-'))
  cleanup.push(() => exitWithin(context.close(), 5_000))
  return context
}
