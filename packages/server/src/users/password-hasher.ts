import { type Algorithm, hash, verify } from '@node-rs/argon2'

/** `Algorithm.Argon2id`; the enum is an ambient const enum, so its value is spelled out here. */
const ARGON2ID = 2 as Algorithm

export interface Argon2Params {
  /** KiB */
  memoryCost: number
  timeCost: number
  parallelism: number
}

/** argon2id through an async API that runs on the libuv thread pool, never on the event loop. */
export interface PasswordHasher {
  hash(password: string): Promise<string>
  verify(phc: string, password: string): Promise<boolean>
  /** True when the stored hash is weaker than the current parameters, or not argon2id. */
  needsRehash(phc: string): boolean
  /** Verifies against a fixed hash, so an unknown account costs the same time as a wrong password. */
  burn(password: string): Promise<void>
}

export function createPasswordHasher(params: Argon2Params): PasswordHasher {
  const options = { algorithm: ARGON2ID, ...params }
  // OWASP Authentication Cheat Sheet: equal response time for unknown users.
  let dummy: Promise<string> | undefined
  return {
    hash: (password) => hash(password, options),
    async verify(phc, password) {
      try {
        return await verify(phc, password)
      } catch {
        return false // a malformed stored hash never authenticates
      }
    },
    needsRehash(phc) {
      const parsed = parsePhc(phc)
      return (
        parsed === null ||
        parsed.memoryCost < params.memoryCost ||
        parsed.timeCost < params.timeCost ||
        parsed.parallelism < params.parallelism
      )
    },
    async burn(password) {
      dummy ??= hash('tessera-dummy-password', options)
      await verify(await dummy, password).catch(() => false)
    },
  }
}

/** Reads the parameters of an argon2id PHC string: `$argon2id$v=19$m=…,t=…,p=…$salt$hash`. */
export function parsePhc(phc: string): Argon2Params | null {
  const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/.exec(phc)
  if (!match) return null
  return { memoryCost: Number(match[1]), timeCost: Number(match[2]), parallelism: Number(match[3]) }
}
