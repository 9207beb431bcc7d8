import { Type } from '@sinclair/typebox'
import { seconds } from './seconds.js'

/** Access and refresh token lifetimes, and DPoP. */
export const TokensSettings = Type.Object(
  {
    maxAccessTokenTtl: seconds(
      3600,
      60,
      'TESSERA_TOKENS_MAX_ACCESS_TOKEN_TTL',
      'Longest lifetime of any access token; revocation-log entries are kept this long after they are written, since no token they affect can outlive it.',
    ),
    refreshTokenIdleTtl: seconds(
      14 * 24 * 3600,
      60,
      'TESSERA_TOKENS_REFRESH_TOKEN_IDLE_TTL',
      'A refresh token unused this long dies (applications may set their own).',
    ),
    refreshTokenAbsoluteTtl: seconds(
      90 * 24 * 3600,
      60,
      'TESSERA_TOKENS_REFRESH_TOKEN_ABSOLUTE_TTL',
      'A refresh-token family dies this long after it was first issued, and never outlives its session.',
    ),
    refreshGracePeriod: Type.Integer({
      default: 5,
      minimum: 0,
      maximum: 60,
      env: 'TESSERA_TOKENS_REFRESH_GRACE_PERIOD',
      description:
        'Seconds during which a just-rotated refresh token may be presented again and gets the same single successor, so two tabs refreshing at once do not sign the user out. Outside it, reuse revokes the whole family (RFC 9700 §4.14.2).',
    }),
    dpopNonce: Type.Boolean({
      default: false,
      env: 'TESSERA_TOKENS_DPOP_NONCE',
      description:
        'Require a server-provided nonce in every DPoP proof (RFC 9449 §8): a proof without the current one gets use_dpop_nonce and the nonce in DPoP-Nonce. Limits how long a proof made in advance stays usable, at the cost of one extra round trip per client.',
    }),
  },
  { default: {}, additionalProperties: false },
)
