import { TesseraError } from '../shared/errors.js'
import type { ConnectionType, UserMapping } from './connection.js'

export const PRESETS = ['google', 'microsoft', 'github', 'gitlab'] as const
export type Preset = (typeof PRESETS)[number]

/** What a preset fills in; the operator gives only a client id and secret (and Microsoft's tenant). */
export interface PresetSettings {
  type: ConnectionType
  name: string
  issuer: string | null
  authorizationEndpoint: string | null
  tokenEndpoint: string | null
  userinfoEndpoint: string | null
  emailsEndpoint: string | null
  userMapping: UserMapping
  scopes: string[]
  /** The provider's endpoints live on these hosts besides the issuer's. */
  allowedHosts: string[]
}

const OIDC_MAPPING: UserMapping = { subject: 'sub', email: 'email', emailVerified: 'email_verified', name: 'name' }

/**
 * The endpoints of well-known providers. Microsoft needs the tenant: its multi-tenant endpoints
 * (`common`, `organizations`) publish an issuer template, not an issuer, and an ID token whose
 * issuer cannot be checked exactly is refused (OIDC Core §3.1.3.7 step 2). Microsoft does not
 * assert `email_verified`, so its addresses are never trusted for linking (the "nOAuth" lesson).
 */
export function presetSettings(preset: Preset, options: { tenant?: string | undefined }): PresetSettings {
  switch (preset) {
    case 'google':
      return {
        type: 'oidc',
        name: 'Google',
        issuer: 'https://accounts.google.com',
        authorizationEndpoint: null,
        tokenEndpoint: null,
        userinfoEndpoint: null,
        emailsEndpoint: null,
        userMapping: OIDC_MAPPING,
        scopes: ['openid', 'email', 'profile'],
        allowedHosts: ['oauth2.googleapis.com', 'www.googleapis.com', 'openidconnect.googleapis.com'],
      }
    case 'microsoft': {
      const tenant = options.tenant ?? ''
      if (!/^[A-Za-z0-9.-]{1,100}$/.test(tenant) || ['common', 'organizations', 'consumers'].includes(tenant.toLowerCase()))
        throw new TesseraError('connection_invalid', {
          detail: 'the microsoft preset needs --tenant: your directory (tenant) id or domain, not common/organizations/consumers',
        })
      return {
        type: 'oidc',
        name: 'Microsoft',
        issuer: `https://login.microsoftonline.com/${tenant}/v2.0`,
        authorizationEndpoint: null,
        tokenEndpoint: null,
        userinfoEndpoint: null,
        emailsEndpoint: null,
        userMapping: OIDC_MAPPING,
        scopes: ['openid', 'email', 'profile'],
        allowedHosts: ['graph.microsoft.com'],
      }
    }
    case 'gitlab':
      return {
        type: 'oidc',
        name: 'GitLab',
        issuer: 'https://gitlab.com',
        authorizationEndpoint: null,
        tokenEndpoint: null,
        userinfoEndpoint: null,
        emailsEndpoint: null,
        userMapping: OIDC_MAPPING,
        scopes: ['openid', 'email', 'profile'],
        allowedHosts: [],
      }
    case 'github':
      return {
        type: 'oauth2',
        name: 'GitHub',
        issuer: null,
        authorizationEndpoint: 'https://github.com/login/oauth/authorize',
        tokenEndpoint: 'https://github.com/login/oauth/access_token',
        userinfoEndpoint: 'https://api.github.com/user',
        // Only a verified primary address from here is used; /user's public email is not proof.
        emailsEndpoint: 'https://api.github.com/user/emails',
        userMapping: { subject: 'id', name: 'name' },
        scopes: ['read:user', 'user:email'],
        allowedHosts: ['api.github.com'],
      }
  }
}
