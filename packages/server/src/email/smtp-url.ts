import { isIP } from 'node:net'

/** How STARTTLS is used on a `smtp://` connection. `smtps://` is TLS from the first byte. */
export type StartTlsMode = 'required' | 'auto' | 'never'

/** What TESSERA_SMTP_URL says, ready for nodemailer. The password is never logged or echoed. */
export interface SmtpSettings {
  host: string
  port: number
  /** Implicit TLS (`smtps://`, RFC 8314 §3.3). */
  secure: boolean
  startTls: StartTlsMode
  auth: { user: string; pass: string } | null
}

export type SmtpUrlResult = { ok: true; settings: SmtpSettings } | { ok: false; problem: string }

const MODES: readonly StartTlsMode[] = ['required', 'auto', 'never']

/** Loopback hosts: a relay on the same machine, where nothing crosses a network. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase()
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true
  if (isIP(bare) === 4) return bare.startsWith('127.')
  return bare === '::1'
}

/**
 * Reads `smtp://user:pass@host:587` or `smtps://user:pass@host:465`. A plain `smtp://` connection
 * to a host off this machine must upgrade with STARTTLS (RFC 3207) before any credential or
 * message is sent, unless the URL says `?starttls=auto` (upgrade when offered) or `?starttls=never`:
 * OWASP Transport Layer Security Cheat Sheet, and RFC 8314 §5 for submission. The problems never
 * quote the URL, which holds a password.
 */
export function parseSmtpUrl(value: string): SmtpUrlResult {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return { ok: false, problem: 'must be a URL like smtp://user:pass@host:587 or smtps://user:pass@host:465' }
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') return { ok: false, problem: 'must start with smtp:// or smtps://' }
  if (!url.hostname) return { ok: false, problem: 'must name a host' }
  if (url.pathname !== '' && url.pathname !== '/') return { ok: false, problem: 'must not have a path' }
  const secure = url.protocol === 'smtps:'
  const params = [...url.searchParams.keys()]
  const unknown = params.find((key) => key !== 'starttls')
  if (unknown !== undefined) return { ok: false, problem: 'the only query parameter is starttls (required, auto or never)' }
  const asked = url.searchParams.get('starttls')
  if (asked !== null && !MODES.includes(asked as StartTlsMode)) {
    return { ok: false, problem: 'starttls must be required, auto or never' }
  }
  if (secure && asked !== null) return { ok: false, problem: 'smtps:// is TLS from the start; starttls does not apply' }
  const loopback = isLoopbackHost(url.hostname)
  const startTls: StartTlsMode = (asked as StartTlsMode | null) ?? (loopback ? 'auto' : 'required')
  let user: string
  let pass: string
  try {
    user = decodeURIComponent(url.username)
    pass = decodeURIComponent(url.password)
  } catch {
    return { ok: false, problem: 'the user name or password is not valid percent-encoding' }
  }
  return {
    ok: true,
    settings: {
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port ? Number(url.port) : secure ? 465 : 587,
      secure,
      startTls,
      auth: user || pass ? { user, pass } : null,
    },
  }
}
