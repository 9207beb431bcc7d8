import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export class MasterKeyError extends Error {}

/** Decodes a 256-bit master key given as base64url (or base64). */
export function parseMasterKey(value: string): Buffer {
  const key = Buffer.from(value.trim(), 'base64url')
  if (key.length !== 32) throw new MasterKeyError('TESSERA_MASTER_KEY must be 32 random bytes, base64url-encoded (openssl rand -base64 32)')
  return key
}

/** The configured master key, or the development one in `<dataDir>/master.key`; null when there is neither (never generates one). */
export function findMasterKey(input: { configured: string; dataDir: string }): Buffer | null {
  if (input.configured) return parseMasterKey(input.configured)
  const path = join(input.dataDir, 'master.key')
  return existsSync(path) ? parseMasterKey(readFileSync(path, 'utf8')) : null
}

/**
 * The master key that encrypts private signing keys: the configured one (required in production,
 * see load-config.ts), or in development one generated on first start into
 * `<dataDir>/master.key`, readable by the owner only.
 */
export function loadMasterKey(input: { configured: string; dataDir: string }): { key: Buffer; generated: boolean } {
  if (input.configured) return { key: parseMasterKey(input.configured), generated: false }
  const path = join(input.dataDir, 'master.key')
  if (existsSync(path)) {
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600)
    return { key: parseMasterKey(readFileSync(path, 'utf8')), generated: false }
  }
  mkdirSync(input.dataDir, { recursive: true })
  const key = randomBytes(32)
  try {
    writeFileSync(path, `${key.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' })
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as { code?: string }).code === 'EEXIST') return { key: parseMasterKey(readFileSync(path, 'utf8')), generated: false }
    throw error
  }
  return { key, generated: true }
}
