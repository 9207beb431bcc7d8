import { readFileSync } from 'node:fs'
import { isAbsolute, join, resolve } from 'node:path'
import { Value } from '@sinclair/typebox/value'
import { parseSmtpUrl } from '../email/smtp-url.js'
import { normalizeEmail } from '../users/email.js'
import { ConfigError } from './config-error.js'
import { type Config, ConfigSchema } from './config-schema.js'
import { SETTINGS, type Setting, settingKind } from './config-settings.js'

export interface LoadConfigInput {
  /** Environment variables (only `TESSERA_*` are read). */
  env?: Record<string, string | undefined>
  /** Path of an optional JSON config file; `TESSERA_CONFIG` names one too. */
  file?: string
  /** Values that win over everything else (CLI flags, tests). */
  overrides?: DeepPartial<Config>
  /** Directory relative paths are resolved against. */
  cwd?: string
}

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K] }

/**
 * Reads the configuration: schema defaults, then the config file, then `TESSERA_*` variables,
 * then overrides. Throws a ConfigError naming each bad key.
 * @example
 * const config = loadConfig({ env: process.env })
 */
export function loadConfig(input: LoadConfigInput = {}): Config {
  const env = input.env ?? {}
  const cwd = input.cwd ?? process.cwd()
  const problems: string[] = []
  const fileName = input.file ?? env.TESSERA_CONFIG
  const layers: unknown[] = []
  if (fileName) layers.push(readConfigFile(resolve(cwd, fileName), problems))
  layers.push(readEnvironment(env, problems))
  if (input.overrides) layers.push(input.overrides)
  if (problems.length > 0) throw new ConfigError(problems)

  const merged = layers.reduce<Record<string, unknown>>((acc, layer) => deepMerge(acc, layer), {})
  const config = Value.Default(ConfigSchema, merged) as Config
  for (const error of Value.Errors(ConfigSchema, config)) problems.push(describe(error.path, error.message))
  if (problems.length > 0) throw new ConfigError(problems)

  problems.push(...crossChecks(config))
  if (problems.length > 0) throw new ConfigError(problems)
  return resolveDerived(config, cwd)
}

function readConfigFile(path: string, problems: string[]): unknown {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'))
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      problems.push(`config file ${path}: must hold one JSON object`)
      return {}
    }
    return parsed
  } catch (error) {
    problems.push(`config file ${path}: ${(error as Error).message}`)
    return {}
  }
}

function readEnvironment(env: Record<string, string | undefined>, problems: string[]): Record<string, unknown> {
  const result: Record<string, unknown> = {}
  for (const setting of SETTINGS) {
    const raw = setting.env ? env[setting.env] : undefined
    if (raw === undefined || raw === '') continue
    const value = parseEnvValue(setting, raw)
    if (value === undefined) {
      problems.push(`${setting.key} (${setting.env}): cannot read ${JSON.stringify(raw)} as ${settingKind(setting.schema)}`)
      continue
    }
    setPath(result, setting.path, value)
  }
  return result
}

function parseEnvValue(setting: Setting, raw: string): unknown {
  switch (settingKind(setting.schema)) {
    case 'integer':
      return /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : undefined
    case 'boolean':
      if (['true', '1', 'yes'].includes(raw.trim().toLowerCase())) return true
      if (['false', '0', 'no'].includes(raw.trim().toLowerCase())) return false
      return undefined
    case 'list':
      return raw
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0)
    default:
      return raw
  }
}

function describe(pointer: string, message: string): string {
  const key = pointer.replace(/^\//, '').split('/').filter(Boolean).join('.')
  const setting = SETTINGS.find((candidate) => candidate.key === key || key.startsWith(`${candidate.key}.`))
  if (!setting) return `${key || '(root)'}: ${message === 'Unexpected property' ? 'unknown key' : message}`
  const choices = (setting.schema.anyOf as { const?: unknown }[] | undefined)?.map((option) => option.const)
  const explained = choices?.every((choice) => typeof choice === 'string') ? `must be one of ${choices.join(', ')}` : message
  return `${setting.key}${setting.env ? ` (${setting.env})` : ''}: ${explained}`
}

function crossChecks(config: Config): string[] {
  const problems: string[] = []
  if (config.password.maxBytes < config.password.maxLength) {
    problems.push('password.maxBytes (TESSERA_PASSWORD_MAX_BYTES): must be at least password.maxLength')
  }
  if (config.password.minLength > config.password.maxLength) {
    problems.push('password.minLength (TESSERA_PASSWORD_MIN_LENGTH): must not exceed password.maxLength')
  }
  if (config.signIn.backoffMax < config.signIn.backoffBase) {
    problems.push('signIn.backoffMax (TESSERA_SIGN_IN_BACKOFF_MAX): must be at least signIn.backoffBase')
  }
  if (config.keys.prePublish < config.keys.jwksMaxAge) {
    problems.push(
      'keys.prePublish (TESSERA_KEYS_PRE_PUBLISH): must be at least keys.jwksMaxAge, or verifiers may meet a key before their cached JWKS has it',
    )
  }
  if (config.keys.rotationInterval <= config.keys.prePublish) {
    problems.push('keys.rotationInterval (TESSERA_KEYS_ROTATION_INTERVAL): must be longer than keys.prePublish')
  }
  if (config.env === 'production' && config.masterKey === '') {
    problems.push('masterKey (TESSERA_MASTER_KEY): required in production; private signing keys are encrypted under it')
  }
  if (config.masterKey !== '' && Buffer.from(config.masterKey.trim(), 'base64url').length !== 32) {
    problems.push('masterKey (TESSERA_MASTER_KEY): must be 32 random bytes, base64url-encoded')
  }
  problems.push(...checkEmail(config.email))
  if (config.issuer !== '') problems.push(...checkIssuer(config.issuer, config.env))
  else if (config.env === 'production') problems.push('issuer (TESSERA_ISSUER): must be set in production')
  if (config.metrics.port !== 0 && config.metrics.port === config.port) {
    problems.push('metrics.port (TESSERA_METRICS_PORT): must differ from port, or be 0 for no metrics port')
  }
  if (config.redisUrl !== '' && !/^rediss?:\/\/.+/.test(config.redisUrl)) {
    problems.push('redisUrl (TESSERA_REDIS_URL): must be redis://… or rediss://…')
  }
  if (config.databaseUrl !== '' && !/^(sqlite:.+|postgres(ql)?:\/\/.+)$/.test(config.databaseUrl)) {
    problems.push('databaseUrl (TESSERA_DATABASE_URL): must be sqlite:PATH or postgres://…')
  }
  return problems
}

function checkEmail(email: Config['email']): string[] {
  const problems: string[] = []
  if (email.smtpUrl !== '') {
    // The URL holds a password: a problem names the key, never the value.
    const parsed = parseSmtpUrl(email.smtpUrl)
    if (!parsed.ok) problems.push(`email.smtpUrl (TESSERA_SMTP_URL): ${parsed.problem}`)
  }
  if (email.from !== '' && normalizeEmail(email.from) === null) {
    problems.push('email.from (TESSERA_EMAIL_FROM): must be one email address (no display name: the product name is used)')
  }
  if (email.supportAddress !== '' && normalizeEmail(email.supportAddress) === null) {
    problems.push('email.supportAddress (TESSERA_EMAIL_SUPPORT_ADDRESS): must be an email address')
  }
  if (email.logoUrl !== '' && !/^https:\/\/[^\s"'<>]+$/.test(email.logoUrl)) {
    problems.push('email.logoUrl (TESSERA_EMAIL_LOGO_URL): must be an https URL')
  }
  if (/[\r\n<>"]/.test(email.productName)) {
    problems.push('email.productName (TESSERA_EMAIL_PRODUCT_NAME): must be one line without <, > or "')
  }
  return problems
}

function checkIssuer(issuer: string, mode: Config['env']): string[] {
  let url: URL
  try {
    url = new URL(issuer)
  } catch {
    return ['issuer (TESSERA_ISSUER): must be an absolute URL']
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return ['issuer (TESSERA_ISSUER): must be an http(s) URL']
  // RFC 8414 §2: the issuer has no query or fragment.
  if (url.search || url.hash || issuer.includes('?') || issuer.includes('#')) {
    return ['issuer (TESSERA_ISSUER): must not have a query or fragment']
  }
  if (mode === 'production' && url.protocol !== 'https:') return ['issuer (TESSERA_ISSUER): must be https in production']
  // A Secure cookie is never sent over plain http, and a non-Secure one could be read on the way:
  // plain http is for a developer's own machine only.
  if (url.protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) {
    return ['issuer (TESSERA_ISSUER): plain http is allowed only for localhost; use https']
  }
  return []
}

function resolveDerived(config: Config, cwd: string): Config {
  const dataDir = isAbsolute(config.dataDir) ? config.dataDir : resolve(cwd, config.dataDir)
  const issuer = config.issuer || `http://localhost:${config.port}`
  let databaseUrl = config.databaseUrl || `sqlite:${join(dataDir, 'tessera.db')}`
  if (databaseUrl.startsWith('sqlite:')) {
    const path = databaseUrl.slice('sqlite:'.length)
    if (path !== ':memory:' && !isAbsolute(path)) databaseUrl = `sqlite:${resolve(cwd, path)}`
  }
  return { ...config, dataDir, issuer, databaseUrl }
}

function deepMerge(target: Record<string, unknown>, source: unknown): Record<string, unknown> {
  if (typeof source !== 'object' || source === null) return target
  const result: Record<string, unknown> = { ...target }
  for (const [key, value] of Object.entries(source)) {
    // Config files are untrusted input too: never walk into prototype keys.
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue
    const existing = result[key]
    result[key] =
      isPlainObject(value) && isPlainObject(existing) ? deepMerge(existing, value) : isPlainObject(value) ? deepMerge({}, value) : value
  }
  return result
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target
  for (const segment of path.slice(0, -1)) {
    node[segment] = isPlainObject(node[segment]) ? node[segment] : {}
    node = node[segment] as Record<string, unknown>
  }
  node[path[path.length - 1] as string] = value
}
