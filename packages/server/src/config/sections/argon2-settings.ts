import { Type } from '@sinclair/typebox'

/** The cost of password hashing. */
export const Argon2Settings = Type.Object(
  {
    memoryCost: Type.Integer({
      default: 19456,
      minimum: 19456,
      maximum: 4194304,
      env: 'TESSERA_ARGON2_MEMORY_COST',
      description:
        'argon2id memory in KiB; OWASP Password Storage Cheat Sheet minimum is 19456. Raise it and hashes are upgraded at the next sign-in.',
    }),
    timeCost: Type.Integer({
      default: 2,
      minimum: 2,
      maximum: 100,
      env: 'TESSERA_ARGON2_TIME_COST',
      description: 'argon2id iterations; OWASP minimum 2.',
    }),
    parallelism: Type.Integer({
      default: 1,
      minimum: 1,
      maximum: 16,
      env: 'TESSERA_ARGON2_PARALLELISM',
      description: 'argon2id lanes.',
    }),
  },
  { default: {}, additionalProperties: false },
)
