import { describe, expect, it } from 'vitest'
import { isLoopbackHost, parseSmtpUrl } from './smtp-url.js'

function settings(url: string) {
  const result = parseSmtpUrl(url)
  if (!result.ok) throw new Error(result.problem)
  return result.settings
}

describe('TESSERA_SMTP_URL', () => {
  it('requires STARTTLS on a plain connection to a host off this machine', () => {
    expect(settings('smtp://user:pass@mail.example.com:587')).toEqual({
      host: 'mail.example.com',
      port: 587,
      secure: false,
      startTls: 'required',
      auth: { user: 'user', pass: 'pass' },
    })
    expect(settings('smtp://10.0.0.5').startTls).toBe('required')
  })

  it('lets the URL relax STARTTLS, and upgrades only when offered on loopback by default', () => {
    expect(settings('smtp://mail.example.com?starttls=auto').startTls).toBe('auto')
    expect(settings('smtp://mail.example.com?starttls=never').startTls).toBe('never')
    expect(settings('smtp://127.0.0.1:2525').startTls).toBe('auto')
    expect(settings('smtp://localhost:25').startTls).toBe('auto')
    expect(settings('smtp://[::1]:25')).toMatchObject({ host: '::1', startTls: 'auto', auth: null })
  })

  it('uses implicit TLS on smtps:// (port 465 by default) and decodes percent-encoded credentials', () => {
    expect(settings('smtps://me%40example.com:p%3Ass@mail.example.com')).toEqual({
      host: 'mail.example.com',
      port: 465,
      secure: true,
      startTls: 'required',
      auth: { user: 'me@example.com', pass: 'p:ss' },
    })
  })

  it('refuses other schemes, paths, unknown parameters and bad modes, without quoting the password', () => {
    for (const bad of [
      'http://mail.example.com',
      'smtp://user:secret-pass@mail.example.com/path',
      'smtp://user:secret-pass@mail.example.com?tls=off',
      'smtp://user:secret-pass@mail.example.com?starttls=maybe',
      'smtps://user:secret-pass@mail.example.com?starttls=never',
      'not a url',
    ]) {
      const result = parseSmtpUrl(bad)
      expect(result.ok, bad).toBe(false)
      if (!result.ok) expect(result.problem).not.toContain('secret-pass')
    }
  })

  it('knows loopback hosts', () => {
    expect(['localhost', '127.0.0.1', '127.9.9.9', '::1', '[::1]', 'a.localhost'].every(isLoopbackHost)).toBe(true)
    expect(['mail.example.com', '10.0.0.1', '128.0.0.1', 'localhost.example.com'].some(isLoopbackHost)).toBe(false)
  })
})

describe('email settings in the config', () => {
  it('refuses a bad SMTP URL, sender, logo or product name, and never echoes the SMTP password', async () => {
    const { loadConfig } = await import('../config/load-config.js')
    let message = ''
    try {
      loadConfig({
        env: {
          TESSERA_SMTP_URL: 'smtp://user:hunter2-secret@mail.example.com/x',
          TESSERA_EMAIL_FROM: 'Ann <ann@example.com>',
          TESSERA_EMAIL_LOGO_URL: 'http://cdn.example.com/logo.png',
          TESSERA_EMAIL_PRODUCT_NAME: 'Acme<b>',
        },
      })
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toContain('email.smtpUrl (TESSERA_SMTP_URL)')
    expect(message).toContain('email.from (TESSERA_EMAIL_FROM)')
    expect(message).toContain('email.logoUrl (TESSERA_EMAIL_LOGO_URL)')
    expect(message).toContain('email.productName (TESSERA_EMAIL_PRODUCT_NAME)')
    expect(message).not.toContain('hunter2')
    expect(loadConfig({ env: { TESSERA_SMTP_URL: 'smtps://u:p@mail.example.com' } }).email.smtpUrl).toBe('smtps://u:p@mail.example.com')
  })
})
