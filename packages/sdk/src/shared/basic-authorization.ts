/**
 * The confidential client a resource server authenticates as (a Tessera `resource-server`
 * application), for the revocation feed and introspection. Keep the secret out of source control.
 *
 * @example
 * const client: ClientCredentials = { id: process.env.TESSERA_CLIENT_ID ?? '', secret: process.env.TESSERA_CLIENT_SECRET ?? '' }
 */
export interface ClientCredentials {
  /** The application's client id. */
  id: string
  /** The application's client secret, shown once by `tessera apps create`. */
  secret: string
}

/**
 * `Authorization: Basic` for `client_secret_basic`. RFC 6749 §2.3.1: the id and the secret are
 * form-urlencoded before they are joined and base64-encoded.
 */
export function basicAuthorization(client: ClientCredentials): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+')
  return `Basic ${Buffer.from(`${encode(client.id)}:${encode(client.secret)}`).toString('base64')}`
}
