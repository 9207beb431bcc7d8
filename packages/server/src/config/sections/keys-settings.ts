import { Type } from '@sinclair/typebox'
import { seconds } from './seconds.js'

/** The master key every secret at rest is derived from. */
export const masterKeySetting = Type.String({
  default: '',
  env: 'TESSERA_MASTER_KEY',
  description:
    '32 random bytes, base64url. Encrypts private signing keys at rest. Required in production; in development it is generated on first start into `<dataDir>/master.key` (mode 0600). Never logged.',
})

/** Signing keys and their rotation. */
export const KeysSettings = Type.Object(
  {
    algorithm: Type.Union([Type.Literal('ES256'), Type.Literal('EdDSA'), Type.Literal('RS256'), Type.Literal('PS256')], {
      default: 'ES256',
      env: 'TESSERA_KEYS_ALGORITHM',
      description: 'Algorithm of new signing keys (RFC 8725 §3.1: a fixed allow-list). Existing keys keep theirs until rotated out.',
    }),
    rsaModulusLength: Type.Integer({
      default: 3072,
      minimum: 2048,
      maximum: 8192,
      env: 'TESSERA_KEYS_RSA_MODULUS_LENGTH',
      description: 'RSA key size in bits for RS256 and PS256; never under 2048.',
    }),
    rotationInterval: seconds(
      30 * 24 * 3600,
      3600,
      'TESSERA_KEYS_ROTATION_INTERVAL',
      'How long a key signs before the next one takes over.',
    ),
    prePublish: seconds(
      24 * 3600,
      60,
      'TESSERA_KEYS_PRE_PUBLISH',
      'How long a new key is in the JWKS before it signs; at least keys.jwksMaxAge, so every cached JWKS holds it in time.',
    ),
    jwksMaxAge: seconds(600, 0, 'TESSERA_KEYS_JWKS_MAX_AGE', '`Cache-Control: max-age` of the JWKS.'),
  },
  { default: {}, additionalProperties: false },
)
