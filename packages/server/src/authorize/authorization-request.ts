/** A validated authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3, OIDC Core §3.1.2.1, RFC 8707 §2). */
export interface AuthorizationParameters {
  clientId: string
  /** The redirect URI exactly as presented (it matched a registered one). */
  redirectUri: string
  state: string | null
  nonce: string | null
  /** OpenID scopes and API scopes, in request order, without duplicates. */
  scope: string[]
  /** The S256 PKCE challenge. */
  codeChallenge: string
  /** The API the access token is for (RFC 8707), or null: then it is only for the userinfo endpoint. */
  resource: string | null
  prompt: Prompt[]
  /** Seconds; a session authenticated longer ago must sign in again (OIDC Core §3.1.2.1). */
  maxAge: number | null
  /** OIDC Core §3.1.2.1: acr values, by preference; a weaker session must sign in again. Absent in flows stored before it existed. */
  acrValues?: string[]
  /** An email to pre-fill on the sign-in page. */
  loginHint: string | null
  /** OIDC Core §3.1.2.1 `ui_locales`: the languages the pages should speak, by preference. Absent in older flows. */
  uiLocales?: string | null
  /** RFC 9449 §10: the thumbprint of the DPoP key the code is bound to. Absent in older flows. */
  dpopJkt?: string | null
}

export const PROMPTS = ['none', 'login', 'consent'] as const
export type Prompt = (typeof PROMPTS)[number]
