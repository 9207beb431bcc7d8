import { digestBytesEqual, sha256Bytes } from '../shared/digest.js'
import type { Application } from './application.js'

/**
 * Compares a presented client secret with an application's stored digest in constant time, as
 * bytes (OWASP Authentication Cheat Sheet): the stored digest is decoded once per application
 * object, for as long as that object holds it (the config cache hands out the same one), and the
 * presented secret's SHA-256 is not encoded to be decoded again (issue 17, introspection).
 */
export function createSecretMatcher(): (application: Application, secret: string) => boolean {
  const storedDigests = new WeakMap<Application, { of: string; bytes: Buffer }>()

  function storedDigest(application: Application): Buffer | null {
    const digest = application.secretHash
    if (digest === null) return null
    const held = storedDigests.get(application)
    if (held !== undefined && held.of === digest) return held.bytes
    const bytes = Buffer.from(digest, 'base64url')
    storedDigests.set(application, { of: digest, bytes })
    return bytes
  }

  return (application, secret) => {
    const stored = storedDigest(application)
    return stored !== null && digestBytesEqual(stored, sha256Bytes(secret))
  }
}
