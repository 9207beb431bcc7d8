import { presentDelivery } from '../../webhooks/webhook-delivery.js'
import { presentEndpoint } from '../../webhooks/webhook-endpoint.js'
import { WEBHOOK_EVENT_TYPES } from '../../webhooks/webhook-event-types.js'
import { MAX_DELIVERY_PAGE } from '../../webhooks/webhook-service.js'
import { optionalInteger, requireString, UsageError } from '../cli-args.js'
import type { Command } from '../command.js'
import { withTessera } from '../command.js'

const CLI = { kind: 'cli' } as const

export const webhooksCreateCommand: Command = {
  spec: {
    name: 'webhooks create',
    summary: 'Register a webhook endpoint. Its signing secret (whsec_…) is printed once.',
    usage: 'webhooks create --url URL --events e1,e2 [--allow-insecure-development] [--json]',
    options: {
      url: { type: 'string', description: 'where to POST events; https (see docs/webhooks.md for what is refused)' },
      events: { type: 'string', description: `event types, comma-separated: ${WEBHOOK_EVENT_TYPES.join(', ')}` },
      'allow-insecure-development': {
        type: 'boolean',
        description: 'allow http and loopback or private addresses, for a receiver on your own machine; refused in production',
      },
    },
  },
  async run(context) {
    const { args } = context
    const url = requireString(args, 'url')
    const events = requireString(args, 'events')
      .split(',')
      .map((event) => event.trim())
      .filter((event) => event.length > 0)
    const allowInsecureDevelopment = args.values['allow-insecure-development'] === true
    const { endpoint, secret, now } = await withTessera(context, async (tessera) => ({
      ...(await tessera.webhooks.service.create({ url, events, allowInsecureDevelopment }, CLI)),
      now: Date.now(),
    }))
    context.output(
      { endpoint: presentEndpoint(endpoint, now), secret },
      `Created webhook endpoint ${endpoint.id}\nurl:    ${endpoint.url}\nevents: ${endpoint.eventTypes.join(', ')}\nsecret: ${secret}\n(shown once: store it now)`,
    )
    return 0
  },
}

export const webhooksListCommand: Command = {
  spec: { name: 'webhooks list', summary: 'List webhook endpoints.', usage: 'webhooks list [--json]', options: {} },
  async run(context) {
    const endpoints = await withTessera(context, (tessera) => tessera.webhooks.service.list())
    const shown = endpoints.map((endpoint) => presentEndpoint(endpoint, Date.now()))
    const human =
      shown.length === 0 ? 'No webhook endpoints.' : shown.map((each) => `${each.id}  ${each.url}  ${each.events.join(',')}`).join('\n')
    context.output({ endpoints: shown }, human)
    return 0
  },
}

export const webhooksRotateSecretCommand: Command = {
  spec: {
    name: 'webhooks rotate-secret',
    summary: 'Replace the signing secret of an endpoint; both secrets sign during the overlap (webhooks.secretRotationOverlap).',
    usage: 'webhooks rotate-secret <endpoint-id> [--overlap SECONDS] [--json]',
    options: {
      overlap: { type: 'string', description: 'how long the old secret keeps signing, in seconds; 0 drops it at once (a leaked secret)' },
    },
    positionals: 1,
  },
  async run(context) {
    const id = context.args.positionals[0] as string
    const overlap = context.args.values.overlap
    if (overlap !== undefined && (typeof overlap !== 'string' || !/^\d{1,7}$/.test(overlap))) {
      throw new UsageError('--overlap must be a whole number of seconds')
    }
    const options = overlap === undefined ? {} : { overlapMs: Number(overlap) * 1000 }
    const { secret, previousSecretExpiresAt } = await withTessera(context, (tessera) =>
      tessera.webhooks.service.rotateSecret(id, CLI, options),
    )
    const until = previousSecretExpiresAt === null ? null : new Date(previousSecretExpiresAt).toISOString()
    context.output(
      { endpointId: id, secret, previousSecretExpiresAt: until },
      `secret: ${secret}\n(shown once: store it now)\n${until ? `The old secret keeps signing until ${until}.` : 'The old secret no longer signs.'}`,
    )
    return 0
  },
}

export const webhooksDeleteCommand: Command = {
  spec: {
    name: 'webhooks delete',
    summary: 'Delete a webhook endpoint and its delivery log; nothing more is sent to it.',
    usage: 'webhooks delete <endpoint-id> [--json]',
    options: {},
    positionals: 1,
  },
  async run(context) {
    const id = context.args.positionals[0] as string
    await withTessera(context, (tessera) => tessera.webhooks.service.delete(id, CLI))
    context.output({ deleted: id }, `Deleted webhook endpoint ${id}.`)
    return 0
  },
}

export const webhooksDeliveriesCommand: Command = {
  spec: {
    name: 'webhooks deliveries',
    summary: 'Show the delivery log of an endpoint, newest first: status, attempts, last response, next attempt.',
    usage: 'webhooks deliveries <endpoint-id> [--limit N] [--json]',
    options: { limit: { type: 'string', description: `how many deliveries (default 50, at most ${MAX_DELIVERY_PAGE})` } },
    positionals: 1,
  },
  async run(context) {
    const id = context.args.positionals[0] as string
    const limit = optionalInteger(context.args, 'limit', 50, MAX_DELIVERY_PAGE)
    const deliveries = (await withTessera(context, (tessera) => tessera.webhooks.service.deliveries(id, limit))).map(presentDelivery)
    const human =
      deliveries.length === 0
        ? 'No deliveries.'
        : deliveries
            .map(
              (each) =>
                `${each.id}  ${each.eventType.padEnd(28)}  ${each.status.padEnd(9)}  attempts ${each.attempts}  last ${each.lastResponseCode ?? each.lastError ?? '-'}  next ${each.nextAttemptAt ?? '-'}`,
            )
            .join('\n')
    context.output({ deliveries }, human)
    return 0
  },
}

export const webhooksResendCommand: Command = {
  spec: {
    name: 'webhooks resend',
    summary: 'Send a delivery again, now, with the same webhook-id (receivers that deduplicate by id see it once).',
    usage: 'webhooks resend <delivery-id> [--json]',
    options: {},
    positionals: 1,
  },
  async run(context) {
    const id = context.args.positionals[0] as string
    const delivery = await withTessera(context, (tessera) => tessera.webhooks.service.resend(id))
    context.output(
      { delivery: presentDelivery(delivery) },
      `Delivery ${delivery.id} is queued; the server sends it within a second (it must be running).`,
    )
    return 0
  },
}
