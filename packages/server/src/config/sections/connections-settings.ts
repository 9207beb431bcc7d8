import { Type } from '@sinclair/typebox'
import { seconds } from './seconds.js'

/** Upstream identity providers. */
export const ConnectionsSettings = Type.Object(
  {
    timeout: seconds(
      10,
      1,
      'TESSERA_CONNECTIONS_TIMEOUT',
      'Longest any one request to an upstream identity provider may take (discovery, token, keys, user endpoint); a slower provider gets a clear error page, never a hang.',
    ),
  },
  { default: {}, additionalProperties: false },
)
