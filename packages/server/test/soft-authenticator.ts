import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto'

/**
 * A software WebAuthn authenticator for tests below the browser: it makes real ES256 credentials
 * and real `none` attestations and assertions (WebAuthn Level 3 §6.1, §6.5, §8.7), so the server's
 * verification runs unmodified. The browser tests use Chromium's virtual authenticator instead.
 */
export interface SoftAuthenticator {
  /** Answers `navigator.credentials.create()` options, as a browser would serialise it. */
  register(options: { challenge: string; rp: { id?: string }; user: { id: string } }, origin: string): RegistrationJSON
  /** Answers `navigator.credentials.get()` options with the credential it holds. */
  authenticate(options: { challenge: string; rpId?: string }, origin: string, tweak?: AssertionTweak): AuthenticationJSON
  credentialId: string
}

export interface AssertionTweak {
  /** Sets the signature counter the assertion reports (default: one more each time). */
  counter?: number
  /** Leave the user-verified flag off. */
  noUserVerification?: boolean
  /** Sign for another RP id. */
  rpId?: string
}

export interface RegistrationJSON {
  id: string
  rawId: string
  type: 'public-key'
  response: { clientDataJSON: string; attestationObject: string; transports: ['internal'] }
  clientExtensionResults: Record<string, never>
}

export interface AuthenticationJSON {
  id: string
  rawId: string
  type: 'public-key'
  response: { clientDataJSON: string; authenticatorData: string; signature: string; userHandle: string }
  clientExtensionResults: Record<string, never>
}

const UP = 0x01
const UV = 0x04
const AT = 0x40

export function createSoftAuthenticator(): SoftAuthenticator {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const credentialId = randomBytes(16)
  let counter = 0
  let userHandle = ''
  return {
    credentialId: credentialId.toString('base64url'),
    register(options, origin) {
      userHandle = options.user.id
      const rpId = options.rp.id ?? new URL(origin).hostname
      const clientData = clientDataJSON('webauthn.create', options.challenge, origin)
      const attested = Buffer.concat([Buffer.alloc(16), u16(credentialId.length), credentialId, coseKey(publicKey)])
      const authData = Buffer.concat([sha256(rpId), Buffer.from([UP | UV | AT]), u32(counter), attested])
      const attestationObject = cbor(
        new Map<unknown, unknown>([
          ['fmt', 'none'],
          ['attStmt', new Map()],
          ['authData', authData],
        ]),
      )
      return {
        id: credentialId.toString('base64url'),
        rawId: credentialId.toString('base64url'),
        type: 'public-key',
        response: {
          clientDataJSON: clientData.toString('base64url'),
          attestationObject: attestationObject.toString('base64url'),
          transports: ['internal'],
        },
        clientExtensionResults: {},
      }
    },
    authenticate(options, origin, tweak = {}) {
      counter = tweak.counter ?? counter + 1
      const rpId = tweak.rpId ?? options.rpId ?? new URL(origin).hostname
      const clientData = clientDataJSON('webauthn.get', options.challenge, origin)
      const flags = tweak.noUserVerification ? UP : UP | UV
      const authData = Buffer.concat([sha256(rpId), Buffer.from([flags]), u32(counter)])
      const signature = sign('sha256', Buffer.concat([authData, sha256(clientData)]), privateKey as KeyObject)
      return {
        id: credentialId.toString('base64url'),
        rawId: credentialId.toString('base64url'),
        type: 'public-key',
        response: {
          clientDataJSON: clientData.toString('base64url'),
          authenticatorData: authData.toString('base64url'),
          signature: signature.toString('base64url'),
          userHandle,
        },
        clientExtensionResults: {},
      }
    },
  }
}

function clientDataJSON(type: string, challenge: string, origin: string): Buffer {
  return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }))
}

function sha256(value: string | Buffer): Buffer {
  return createHash('sha256').update(value).digest()
}

function u16(value: number): Buffer {
  const buffer = Buffer.alloc(2)
  buffer.writeUInt16BE(value)
  return buffer
}

function u32(value: number): Buffer {
  const buffer = Buffer.alloc(4)
  buffer.writeUInt32BE(value)
  return buffer
}

/** RFC 9053 §7.1.1 / RFC 8152: the EC2 COSE key of a P-256 public key, for ES256 (-7). */
function coseKey(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' })
  return cbor(
    new Map<unknown, unknown>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, Buffer.from(jwk.x as string, 'base64url')],
      [-3, Buffer.from(jwk.y as string, 'base64url')],
    ]),
  )
}

/** The few CBOR types (RFC 8949) that attestations need: integers, byte and text strings, maps. */
function cbor(value: unknown): Buffer {
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value)
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value])
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8')
    return Buffer.concat([head(3, bytes.length), bytes])
  }
  if (value instanceof Map) return Buffer.concat([head(5, value.size), ...[...value].flatMap(([key, each]) => [cbor(key), cbor(each)])])
  throw new Error(`cbor: unsupported ${typeof value}`)
}

function head(major: number, length: number): Buffer {
  if (length < 24) return Buffer.from([(major << 5) | length])
  if (length < 256) return Buffer.from([(major << 5) | 24, length])
  return Buffer.concat([Buffer.from([(major << 5) | 25]), u16(length)])
}
