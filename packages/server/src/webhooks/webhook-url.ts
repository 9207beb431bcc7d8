import { TesseraError } from '../shared/errors.js'

export interface UrlPolicy {
  /** The endpoint was registered with the development allowance. */
  allowInsecureDevelopment: boolean
  /** Tessera runs with env = production: the allowance counts for nothing. */
  production: boolean
}

const MAX_URL_LENGTH = 2048

/**
 * Checks the shape of a webhook URL: absolute http(s), https unless the development allowance
 * applies, no credentials (they would travel in every request and every log), no fragment.
 * Where the host points is checked separately (webhook-target.ts), at registration and at every delivery.
 */
export function parseWebhookUrl(raw: string, policy: UrlPolicy): URL {
  const refuse = (detail: string) => new TesseraError('webhook_url_invalid', { detail })
  if (raw.length > MAX_URL_LENGTH) throw refuse(`the URL is longer than ${MAX_URL_LENGTH} characters`)
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw refuse('the URL is not an absolute URL')
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refuse('the URL must be https')
  if (url.protocol === 'http:' && !(policy.allowInsecureDevelopment && !policy.production)) {
    throw refuse(
      policy.production ? 'the URL must be https in production' : 'the URL must be https (plain http needs --allow-insecure-development)',
    )
  }
  if (url.username !== '' || url.password !== '') throw refuse('the URL must not carry a user name or password')
  if (url.hash !== '' || raw.includes('#')) throw refuse('the URL must not have a fragment')
  if (url.hostname === '') throw refuse('the URL has no host')
  return url
}
