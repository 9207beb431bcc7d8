import { describe, expect, it } from 'vitest'
import { EMAIL_TEMPLATES, type EmailBranding, renderEmail } from './email-templates.js'

const BRANDING: EmailBranding = { productName: 'Acme', color: '#123456', logoUrl: '', supportAddress: 'help@acme.test' }
const VARIABLES = {
  email: 'ann@example.com',
  newEmail: 'new@example.com',
  link: 'https://id.example.test/ui/verify-email?token=abc',
  code: '123456',
  hours: '24',
  minutes: '30',
}

describe('email templates', () => {
  it('gives every message a plain-text and an HTML part with the same content', () => {
    for (const template of EMAIL_TEMPLATES) {
      const rendered = renderEmail(template, VARIABLES, BRANDING)
      expect(rendered.subject, template).toContain('Acme')
      expect(rendered.text.length, template).toBeGreaterThan(40)
      expect(rendered.html, template).toMatch(/^<!doctype html>/)
      expect(rendered.html, template).toContain('border-top:4px solid #123456')
    }
    const reset = renderEmail('password_reset', VARIABLES, BRANDING)
    expect(reset.text).toContain(VARIABLES.link)
    expect(reset.html).toContain('href="https://id.example.test/ui/verify-email?token&#61;abc"')
    const verify = renderEmail('verify_email', VARIABLES, BRANDING)
    expect(verify.text).toContain('123456')
    expect(verify.html).toContain('123456')
  })

  it('escapes markup in every variable of the HTML part, and keeps CR/LF out of the subject', () => {
    const hostile = renderEmail(
      'email_change_notice',
      { ...VARIABLES, newEmail: '<script>alert(1)</script>"@evil.test' },
      { ...BRANDING, productName: 'Acme\r\nBcc: victim@example.com' },
    )
    expect(hostile.html).not.toContain('<script>')
    expect(hostile.html).toContain('&#60;script&#62;')
    expect(hostile.subject).not.toMatch(/[\r\n]/)
  })

  it('refuses a missing variable or a link that is not http(s), rather than sending a broken message', () => {
    expect(() => renderEmail('password_reset', { email: 'a@b.test', minutes: '30' }, BRANDING)).toThrow(/link/)
    expect(() => renderEmail('password_reset', { ...VARIABLES, link: 'javascript:alert(1)' }, BRANDING)).toThrow(/http/)
  })

  it('shows the logo only from an https URL, and the product name otherwise', () => {
    expect(renderEmail('password_changed', VARIABLES, { ...BRANDING, logoUrl: 'https://cdn.test/l.png' }).html).toContain(
      '<img src="https://cdn.test/l.png"',
    )
    expect(renderEmail('password_changed', VARIABLES, { ...BRANDING, logoUrl: 'http://cdn.test/l.png' }).html).not.toContain('<img')
  })
})
