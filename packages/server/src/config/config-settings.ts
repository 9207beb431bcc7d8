import { Kind, type TObject } from '@sinclair/typebox'
import { ConfigSchema, type SettingSchema } from './config-schema.js'

/** One leaf of the config schema: its dotted key, its environment variable and its schema. */
export interface Setting {
  key: string
  path: string[]
  env: string | undefined
  schema: SettingSchema
}

function collect(object: TObject, prefix: string[]): Setting[] {
  return Object.entries(object.properties).flatMap(([name, schema]) => {
    const path = [...prefix, name]
    if (schema[Kind] === 'Object') return collect(schema as TObject, path)
    const setting = schema as SettingSchema
    return [{ key: path.join('.'), path, env: setting.env, schema: setting }]
  })
}

/** Every setting of Tessera, in schema order. */
export const SETTINGS: readonly Setting[] = collect(ConfigSchema, [])

/** The kind of value a setting holds, for parsing it from a string. */
export function settingKind(schema: SettingSchema): 'integer' | 'boolean' | 'list' | 'string' {
  const kind = schema[Kind]
  if (kind === 'Integer') return 'integer'
  if (kind === 'Boolean') return 'boolean'
  if (kind === 'Array') return 'list'
  return 'string'
}
