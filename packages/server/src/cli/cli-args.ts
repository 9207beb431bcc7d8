import { parseArgs } from 'node:util'

export interface OptionSpec {
  type: 'string' | 'boolean'
  description: string
}

export interface CommandSpec {
  /** e.g. "users create" */
  name: string
  summary: string
  usage: string
  options: Record<string, OptionSpec>
  /** How many positional arguments: exactly N, or [min, max]. */
  positionals?: number | [number, number]
}

/** Options every command takes. */
export const COMMON_OPTIONS: Record<string, OptionSpec> = {
  config: { type: 'string', description: 'read settings from this JSON file (also TESSERA_CONFIG)' },
  json: { type: 'boolean', description: 'print one JSON object, for scripts' },
  help: { type: 'boolean', description: 'show this help' },
}

export class UsageError extends Error {}

/**
 * A switch given as a value (`--require-mfa on`, `apis roles-claim URI off`). Tessera spells it
 * `on|off` everywhere (docs/cli.md "Switches"); `true|false` is accepted as an alias, in any letter
 * case, since scripts often say it that way. Anything else is a usage error, never a guess.
 */
export function parseSwitch(value: string, what: string): boolean {
  const word = value.toLowerCase()
  if (word === 'on' || word === 'true') return true
  if (word === 'off' || word === 'false') return false
  throw new UsageError(`${what} takes on or off (true or false also work)`)
}

/** An optional switch option: undefined when absent. */
export function optionalSwitch(args: ParsedArgs, name: string): boolean | undefined {
  const value = args.values[name]
  return typeof value === 'string' ? parseSwitch(value, `--${name}`) : undefined
}

export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>
  positionals: string[]
}

/** Strict parsing: an unknown option or a missing value is a usage error, never ignored. */
export function parseCommandArgs(spec: CommandSpec, argv: string[]): ParsedArgs {
  const options = { ...COMMON_OPTIONS, ...spec.options }
  try {
    const { values, positionals } = parseArgs({
      args: dashSafe(argv, options),
      options: Object.fromEntries(Object.entries(options).map(([name, option]) => [name, { type: option.type }])),
      allowPositionals: true,
      strict: true,
    })
    const [min, max] = Array.isArray(spec.positionals) ? spec.positionals : [spec.positionals ?? 0, spec.positionals ?? 0]
    if (!values.help && (positionals.length < min || positionals.length > max)) {
      throw new UsageError(`expected ${min === max ? min : `${min} to ${max}`} argument(s), got ${positionals.length}`)
    }
    return { values: values as ParsedArgs['values'], positionals }
  } catch (error) {
    if (error instanceof UsageError) throw error
    throw new UsageError((error as Error).message)
  }
}

/**
 * Client ids, kids, session ids and cursors are base64url, so one in 64 starts with '-', and
 * parseArgs would take it for a short option, as a positional or as an option's value (issue 18
 * part 7). Tessera has no short options, so:
 * - a string option's value is the next token even if it starts with a single '-' (`--app -qW9b`);
 *   it is passed inline (`--app=-qW9b`), the one form parseArgs never reads as an option. A next
 *   token starting with '--' is another option, not a value: that stays a "missing value" error.
 * - a single-dash token longer than `-x` elsewhere is a positional argument; positionals go after a
 *   `--` terminator, in order, followed by whatever came after the user's own `--`.
 * - one id in 4,096 starts with '--'. A '--' token that is not shaped like an option name (lower
 *   case letters, digits and dashes, as every Tessera option is) is an id too, as a positional or
 *   an option's value; a misspelt option (`--web-orgins`) still has an option's shape and stays an
 *   "Unknown option" error. The rare id shaped like an option goes after `--`, as the error says.
 */
/** `--name` or `--name=value`, with the name spelt as Tessera spells its options. */
const OPTION_SHAPE = /^--(?:[a-z][a-z0-9-]*)?(?:=|$)/

function dashSafe(argv: string[], options: Record<string, OptionSpec>): string[] {
  const end = argv.indexOf('--')
  const head = end < 0 ? argv : argv.slice(0, end)
  const tail = end < 0 ? [] : argv.slice(end + 1)
  const dashed = (token: string) => token.length > 2 && token.startsWith('-') && !OPTION_SHAPE.test(token)
  const rest: string[] = []
  const positionals: string[] = []
  for (let index = 0; index < head.length; index++) {
    const token = head[index] as string
    if (!token.startsWith('-') || dashed(token)) {
      positionals.push(token)
      continue
    }
    const option = token.startsWith('--') ? options[token.slice(2)] : undefined
    const next = head[index + 1]
    if (option?.type === 'string' && next !== undefined && !OPTION_SHAPE.test(next)) {
      rest.push(`${token}=${next}`)
      index += 1
      continue
    }
    rest.push(token)
  }
  return [...rest, '--', ...positionals, ...tail]
}

export function helpText(spec: CommandSpec): string {
  const options = { ...spec.options, ...COMMON_OPTIONS }
  const width = Math.max(...Object.keys(options).map((name) => name.length)) + 4
  const lines = Object.entries(options).map(
    ([name, option]) => `  --${`${name}${option.type === 'string' ? ' V' : ''}`.padEnd(width)} ${option.description}`,
  )
  return `${spec.summary}\n\nUsage: tessera ${spec.usage}\n\nOptions:\n${lines.join('\n')}\n`
}

export function requireString(args: ParsedArgs, name: string): string {
  const value = args.values[name]
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`)
  return value
}

export function optionalInteger(args: ParsedArgs, name: string, fallback: number, max: number): number {
  const value = args.values[name]
  if (value === undefined) return fallback
  if (typeof value !== 'string' || !/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) {
    throw new UsageError(`--${name} must be an integer from 1 to ${max}`)
  }
  return Number(value)
}
