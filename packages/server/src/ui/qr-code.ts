import { loadOnce } from '../shared/load-once.js'
import { escapeHtml, Html } from './html.js'

const qrCodeLibrary = loadOnce(async () => (await import('qrcode')).default)

/**
 * A QR code as inline SVG, drawn on the server (no script, no image request): the `otpauth://` URI
 * an authenticator app scans. The SVG is the library's own output from the text, which it encodes
 * as modules, never as markup, so nothing of the URI reaches the document as HTML.
 */
export async function qrCodeSvg(text: string, label: string): Promise<Html> {
  const svg = await (await qrCodeLibrary()).toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 })
  if (!svg.startsWith('<svg ')) throw new Error('the QR code library returned something other than SVG')
  // The label is a catalogue message in the page's language: escaped (OWASP XSS rule 2), not stripped to ASCII.
  // A function replacement, so a `$` in a translation is not read as a replacement pattern.
  return new Html(svg.replace('<svg ', () => `<svg role="img" aria-label="${escapeHtml(label)}" class="qr" `))
}
