import { createRequire } from 'node:module'

/**
 * A module loaded on first use, once. For the libraries only an optional feature needs (WebAuthn,
 * SMTP, QR codes): a server that never uses the feature never pays their memory; see
 * docs/architecture.md, "Memory". The first call starts the import; every caller shares it.
 */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined
  return () => {
    loading ??= load()
    return loading
  }
}

const requireHere = createRequire(import.meta.url)

/**
 * A CommonJS package loaded on first use, synchronously: for a library a synchronous code path
 * needs (a schema compiler called by Fastify, a TOTP check), where `loadOnce`'s promise cannot
 * go. Node caches the module; a failed load throws at that use (the request gets the error
 * handler's internal_error) and is tried again at the next, never at start-up.
 */
export function requireOnFirstUse<T>(specifier: string): () => T {
  let loaded: T | undefined
  return () => {
    loaded ??= requireHere(specifier) as T
    return loaded
  }
}
