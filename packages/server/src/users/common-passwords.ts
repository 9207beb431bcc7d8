import { readFileSync } from 'node:fs'

/** The shipped list of common and breached passwords (see the header of data/common-passwords.txt). */
export const COMMON_PASSWORDS_FILE = new URL('../../data/common-passwords.txt', import.meta.url)

/** Reads a password list: one per line, `#` starts a comment line; entries are NFC and lower-cased. */
export function loadPasswordList(file: URL | string = COMMON_PASSWORDS_FILE): ReadonlySet<string> {
  const entries = new Set<string>()
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    entries.add(line.normalize('NFC').toLowerCase())
  }
  return entries
}
