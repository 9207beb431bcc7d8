import { Type } from '@sinclair/typebox'
import { ESTIMATE_THREAD_IDLE_MS } from '../../users/password-estimate-bounds.js'

/** The rules a new password must meet. */
export const PasswordSettings = Type.Object(
  {
    minLength: Type.Integer({
      default: 8,
      minimum: 8,
      maximum: 64,
      env: 'TESSERA_PASSWORD_MIN_LENGTH',
      description: 'Fewest characters (Unicode code points) in a new password; NIST SP 800-63B §3.1.1.2 asks for at least 8.',
    }),
    maxLength: Type.Integer({
      default: 128,
      minimum: 64,
      maximum: 1024,
      env: 'TESSERA_PASSWORD_MAX_LENGTH',
      description: 'Most characters in a password; NIST SP 800-63B asks to allow at least 64.',
    }),
    minStrength: Type.Integer({
      default: 3,
      minimum: 0,
      maximum: 4,
      env: 'TESSERA_PASSWORD_MIN_STRENGTH',
      description:
        'Lowest strength a new password may have, as zxcvbn scores it from 0 (guessed at once) to 4 (very hard to guess), with the email address and the service name counted as guessable words; 0 turns the estimate off and leaves the length rules and the common-password list.',
    }),
    maxBytes: Type.Integer({
      default: 1024,
      minimum: 256,
      maximum: 4096,
      env: 'TESSERA_PASSWORD_MAX_BYTES',
      description: 'Most UTF-8 bytes in a password, checked before any hashing so a huge password costs nothing.',
    }),
    estimatorIdleTimeout: Type.Integer({
      default: ESTIMATE_THREAD_IDLE_MS / 1000,
      minimum: 0,
      maximum: 86_400,
      env: 'TESSERA_PASSWORD_ESTIMATOR_IDLE_TIMEOUT',
      description:
        "How long the worker thread that estimates new passwords' strength stays once it has none to estimate (it holds ~10 MB of memory after one sign-up, ~50 MB after a burst); the next new password starts it again, in ~0.1 s and ~0.15 s of CPU. 0 keeps it for the life of the process. A program running several instances has one thread: the first instance's setting applies. In seconds.",
    }),
  },
  { default: {}, additionalProperties: false },
)
