import { describe, expect, it } from 'vitest'
import { type CommandSpec, parseCommandArgs, parseSwitch, UsageError } from './cli-args.js'

const SPEC: CommandSpec = {
  name: 'roles assign',
  summary: '',
  usage: '',
  options: {
    app: { type: 'string', description: '' },
    user: { type: 'string', description: '' },
    all: { type: 'boolean', description: '' },
  },
  positionals: [0, 2],
}

const parse = (...argv: string[]) => parseCommandArgs(SPEC, argv)

describe('CLI arguments that start with a dash (base64url ids, issue 18 part 7)', () => {
  it("takes a dashed id as a string option's value, separate or inline", () => {
    expect(parse('r1', '--app', '-qW9bXk').values.app).toBe('-qW9bXk')
    expect(parse('r1', '--app=-qW9bXk').values.app).toBe('-qW9bXk')
    expect(parse('--app', '-qW9bXk', 'r1').positionals).toEqual(['r1'])
  })

  it('takes a dashed id as a positional, in order, beside options', () => {
    expect(parse('-abc', '--all', 'r1').positionals).toEqual(['-abc', 'r1'])
    expect(parse('--user', '-u1', '-abc').values).toMatchObject({ user: '-u1' })
    expect(parse('--user', '-u1', '-abc').positionals).toEqual(['-abc'])
    // After the user's own terminator, everything is positional, still in order.
    expect(parse('--app', '-x1', '--', '--all', '-y').positionals).toEqual(['--all', '-y'])
  })

  it("takes an id that starts with '--' (one in 4,096) as a positional or a value, unless it is shaped like an option", () => {
    expect(parse('--mbIpJybiJXelBtmTix6A', '--all').positionals).toEqual(['--mbIpJybiJXelBtmTix6A'])
    expect(parse('r1', '--app', '--mbIpJybiJXelBtmTix6A').values.app).toBe('--mbIpJybiJXelBtmTix6A')
    expect(parse('--_9xQ', 'r1').positionals).toEqual(['--_9xQ', 'r1'])
    // Shaped like an option: refused as one, and the message says how to pass it.
    expect(() => parse('--mbipjybijxelbtmtix6a')).toThrow(/Unknown option '--mbipjybijxelbtmtix6a'.*after '--'/s)
    expect(parse('--', '--mbipjybijxelbtmtix6a').positionals).toEqual(['--mbipjybijxelbtmtix6a'])
  })

  it('still refuses a missing value, an unknown option and a short option', () => {
    expect(() => parse('r1', '--app')).toThrow(UsageError)
    // The next option is not taken for the missing value.
    expect(() => parse('r1', '--app', '--all')).toThrow(UsageError)
    expect(() => parse('r1', '--app', '--', '-x')).toThrow(UsageError)
    expect(() => parse('r1', '--nope', 'v')).toThrow(UsageError)
    expect(() => parse('r1', '--al-l')).toThrow(/Unknown option '--al-l'/)
    expect(() => parse('r1', '--app', '--nope')).toThrow(UsageError)
    expect(() => parse('r1', '-a')).toThrow(UsageError)
  })
})

describe('switches given as values (on|off, with true|false as an alias)', () => {
  it('reads on and off, and true and false, in any letter case', () => {
    for (const word of ['on', 'ON', 'true', 'True']) expect(parseSwitch(word, '--require-mfa')).toBe(true)
    for (const word of ['off', 'Off', 'false', 'FALSE']) expect(parseSwitch(word, '--require-mfa')).toBe(false)
  })

  it('refuses anything else with a usage error naming the option, never a guess', () => {
    for (const word of ['yes', 'no', '1', '0', '', 'onn']) {
      expect(() => parseSwitch(word, '--require-mfa'), word).toThrow(UsageError)
      expect(() => parseSwitch(word, '--require-mfa'), word).toThrow(/--require-mfa takes on or off/)
    }
  })
})
