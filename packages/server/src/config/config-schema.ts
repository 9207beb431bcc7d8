import { type Static, type TSchema, Type } from '@sinclair/typebox'
import { Argon2Settings } from './sections/argon2-settings.js'
import { ConnectionsSettings } from './sections/connections-settings.js'
import { CookieSettings } from './sections/cookie-settings.js'
import { DeviceFlowSettings } from './sections/device-flow-settings.js'
import { EmailSettings } from './sections/email-settings.js'
import { FeedSettings } from './sections/feed-settings.js'
import { HousekeepingSettings } from './sections/housekeeping-settings.js'
import { HttpSettings } from './sections/http-settings.js'
import { KeysSettings, masterKeySetting } from './sections/keys-settings.js'
import { defaultLocaleSetting } from './sections/locale-settings.js'
import { MetricsSettings } from './sections/metrics-settings.js'
import { MfaSettings } from './sections/mfa-settings.js'
import { PasswordSettings } from './sections/password-settings.js'
import { RateLimitSettings } from './sections/rate-limit-settings.js'
import { redisSettings } from './sections/redis-settings.js'
import { serverSettings } from './sections/server-settings.js'
import { SessionSettings } from './sections/session-settings.js'
import { SignInSettings } from './sections/sign-in-settings.js'
import { SignUpSettings } from './sections/sign-up-settings.js'
import { TokensSettings } from './sections/tokens-settings.js'
import { TracingSettings } from './sections/tracing-settings.js'
import { WebhooksSettings } from './sections/webhooks-settings.js'

/**
 * Every setting of Tessera, with its default, its environment variable and why it is what it is:
 * one file per section under config/sections/, composed here in the order the reference lists them.
 * docs/configuration.md is generated from this schema (`npm run docs:config`) and a test keeps the two equal.
 */
export const ConfigSchema = Type.Object(
  {
    ...serverSettings,
    http: HttpSettings,
    session: SessionSettings,
    cookie: CookieSettings,
    password: PasswordSettings,
    argon2: Argon2Settings,
    defaultLocale: defaultLocaleSetting,
    signUp: SignUpSettings,
    signIn: SignInSettings,
    mfa: MfaSettings,
    rateLimit: RateLimitSettings,
    ...redisSettings,
    feed: FeedSettings,
    masterKey: masterKeySetting,
    keys: KeysSettings,
    tokens: TokensSettings,
    deviceFlow: DeviceFlowSettings,
    email: EmailSettings,
    metrics: MetricsSettings,
    connections: ConnectionsSettings,
    tracing: TracingSettings,
    housekeeping: HousekeepingSettings,
    webhooks: WebhooksSettings,
  },
  { additionalProperties: false },
)

export type Config = Static<typeof ConfigSchema>

/** The schema of one setting, with Tessera's `env` annotation. */
export type SettingSchema = TSchema & { env?: string; description?: string; default?: unknown }
