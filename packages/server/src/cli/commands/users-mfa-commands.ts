import { presentFactor } from '../../mfa/mfa-factor.js'
import type { Command } from '../command.js'
import { withTessera } from '../command.js'

const CLI = { kind: 'cli' } as const

export const usersMfaListCommand: Command = {
  spec: {
    name: 'users mfa list',
    summary: "List a user's second factors (authenticator apps, passkeys) and how many recovery codes are left.",
    usage: 'users mfa list <id|email> [--json]',
    options: {},
    positionals: 1,
  },
  async run(context) {
    const { factors, recoveryCodesLeft } = await withTessera(context, async (tessera) => {
      const user = await tessera.services.users.get(context.args.positionals[0] as string)
      const { mfa } = tessera.services
      return { factors: (await mfa.list(user.id)).map(presentFactor), recoveryCodesLeft: await mfa.recoveryCodesLeft(user.id) }
    })
    const lines = factors.map((f) => `${f.id}  ${f.kind.padEnd(8)}  ${f.name}  added ${f.createdAt}  last used ${f.lastUsedAt ?? 'never'}`)
    const human = factors.length === 0 ? 'No second factors.' : [...lines, `${recoveryCodesLeft} recovery code(s) left.`].join('\n')
    context.output({ factors, recoveryCodesLeft }, human)
    return 0
  },
}

export const usersMfaResetCommand: Command = {
  spec: {
    name: 'users mfa reset',
    summary: "Remove every second factor and recovery code of a user (a lost phone); the user's tokens die.",
    usage: 'users mfa reset <id|email> [--json]',
    options: {},
    positionals: 1,
  },
  async run(context) {
    const { user, removed } = await withTessera(context, async (tessera) => {
      const found = await tessera.services.users.get(context.args.positionals[0] as string)
      return { user: found, removed: await tessera.services.mfa.reset(found.id, CLI) }
    })
    context.output({ user: user.id, removed }, `Removed ${removed} second factor(s) of ${user.email}; their tokens were revoked.`)
    return 0
  },
}
