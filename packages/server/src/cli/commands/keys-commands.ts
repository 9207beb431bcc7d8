import { presentKey } from '../../keys/signing-key-view.js'
import type { Command } from '../command.js'
import { withTessera } from '../command.js'

const CLI = { kind: 'cli' } as const

export const keysListCommand: Command = {
  spec: { name: 'keys list', summary: 'List signing keys and their states.', usage: 'keys list [--json]', options: {} },
  async run(context) {
    const keys = await withTessera(context, async (tessera) => {
      await tessera.services.keys.maintain()
      return tessera.services.keys.list()
    })
    const shown = keys.map(presentKey)
    context.output(
      { keys: shown },
      shown.map((key) => `${key.kid}  ${key.alg.padEnd(5)}  ${key.state.padEnd(7)}  created ${key.createdAt}`).join('\n'),
    )
    return 0
  },
}

export const keysRotateCommand: Command = {
  spec: {
    name: 'keys rotate',
    summary: 'Publish a new signing key now; it starts signing after the pre-publication window (or at once with --now).',
    usage: 'keys rotate [--now] [--json]',
    options: { now: { type: 'boolean', description: 'start signing with the new key at once' } },
  },
  async run(context) {
    const key = await withTessera(context, (tessera) =>
      tessera.services.keys.rotate({ immediate: context.args.values.now === true, actor: CLI }),
    )
    context.output(
      { key: presentKey(key) },
      `New key ${key.kid} (${key.state}${key.activatesAt ? `, signs from ${new Date(key.activatesAt).toISOString()}` : ''})`,
    )
    return 0
  },
}

export const keysRevokeCommand: Command = {
  spec: {
    name: 'keys revoke',
    summary: 'Revoke a signing key: unpublished at once, and every token it signed dies.',
    usage: 'keys revoke <kid> [--json]',
    options: {},
    positionals: 1,
  },
  async run(context) {
    const kid = context.args.positionals[0] as string
    const key = await withTessera(context, (tessera) => tessera.services.keys.revoke(kid, CLI))
    context.output({ key: presentKey(key) }, `Revoked key ${key.kid}.`)
    return 0
  },
}
