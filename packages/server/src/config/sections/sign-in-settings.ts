import { Type } from '@sinclair/typebox'
import { seconds } from './seconds.js'

/** The per-account sign-in throttle. */
export const SignInSettings = Type.Object(
  {
    freeFailures: Type.Integer({
      default: 10,
      minimum: 1,
      maximum: 100,
      env: 'TESSERA_SIGN_IN_FREE_FAILURES',
      description:
        'Consecutive failed sign-ins allowed per account before back-off starts (NIST SP 800-63B §5.2.2 caps this at 100). A success resets the count.',
    }),
    backoffBase: seconds(
      1,
      1,
      'TESSERA_SIGN_IN_BACKOFF_BASE',
      'First back-off after the free failures; it doubles with each further failure.',
    ),
    backoffMax: seconds(900, 1, 'TESSERA_SIGN_IN_BACKOFF_MAX', 'Longest back-off.'),
  },
  { default: {}, additionalProperties: false },
)
