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
