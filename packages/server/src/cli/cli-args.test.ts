import { describe, expect, it } from 'vitest'
import { type CommandSpec, parseCommandArgs, UsageError } from './cli-args.js'

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

  it('still refuses a missing value, an unknown option and a short option', () => {
    expect(() => parse('r1', '--app')).toThrow(UsageError)
    // The next option is not taken for the missing value.
    expect(() => parse('r1', '--app', '--all')).toThrow(UsageError)
    expect(() => parse('r1', '--app', '--', '-x')).toThrow(UsageError)
    expect(() => parse('r1', '--nope', 'v')).toThrow(UsageError)
    expect(() => parse('r1', '-a')).toThrow(UsageError)
  })
})
