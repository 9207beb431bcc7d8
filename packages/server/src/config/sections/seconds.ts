import { Type } from '@sinclair/typebox'

/** A duration setting: every duration in the configuration is whole seconds. */
export const seconds = (def: number, min: number, env: string, description: string) =>
  Type.Integer({ default: def, minimum: min, env, description: `${description} In seconds.` })
