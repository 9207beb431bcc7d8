import { type EmailDeliveryStatus, presentEmailDelivery } from '../../email/email-delivery.js'
import { MAX_EMAIL_DELIVERY_PAGE } from '../../email/email-service.js'
import { presentUser } from '../../users/user.js'
import { optionalInteger, UsageError } from '../cli-args.js'
import type { Command } from '../command.js'
import { withTessera } from '../command.js'

const CLI = { kind: 'cli' } as const
const STATUSES: readonly EmailDeliveryStatus[] = ['pending', 'sent', 'failed']

export const emailDeliveriesCommand: Command = {
  spec: {
    name: 'email deliveries',
    summary:
      'Show the email delivery log, newest first: template, recipient, status, attempts, last error, next attempt. Never a link or code.',
    usage: 'email deliveries [--status pending|sent|failed] [--limit N] [--cursor C] [--json]',
    options: {
      status: { type: 'string', description: 'only deliveries in this state' },
      limit: { type: 'string', description: `how many (default 50, at most ${MAX_EMAIL_DELIVERY_PAGE})` },
      cursor: { type: 'string', description: 'continue after the previous page (its "next")' },
    },
  },
  async run(context) {
    const { status, cursor } = context.args.values
    if (status !== undefined && !STATUSES.includes(status as EmailDeliveryStatus)) {
      throw new UsageError(`--status must be one of ${STATUSES.join(', ')}`)
    }
    const limit = optionalInteger(context.args, 'limit', 50, MAX_EMAIL_DELIVERY_PAGE)
    const { page, transport } = await withTessera(context, async (tessera) => ({
      transport: tessera.email.service.transport,
      page: await tessera.email.service.list({
        limit,
        ...(typeof status === 'string' ? { status: status as EmailDeliveryStatus } : {}),
        ...(typeof cursor === 'string' ? { before: cursor } : {}),
      }),
    }))
    const deliveries = page.deliveries.map(presentEmailDelivery)
    const human =
      deliveries.length === 0
        ? `No deliveries (transport: ${transport ?? 'none'}).`
        : deliveries
            .map(
              (each) =>
                `${each.id}  ${each.template.padEnd(20)}  ${each.status.padEnd(7)}  ${each.recipient}  attempts ${each.attempts}  last ${each.lastError ?? '-'}  next ${each.nextAttemptAt ?? '-'}`,
            )
            .join('\n')
    context.output({ transport, deliveries, next: page.next }, human)
    return 0
  },
}

/** Operator actions on one user's address and password (docs/email.md, "Operators"). */
function accountCommand(action: 'verify-email' | 'send-verification' | 'send-reset'): Command {
  const summaries = {
    'verify-email': 'Mark a user’s email address verified (the operator vouches for it).',
    'send-verification': 'Send a user a new verification message (no rate limit).',
    'send-reset': 'Send a user a password-reset link (no rate limit); their password is unchanged until they use it.',
  }
  return {
    spec: {
      name: `users ${action}`,
      summary: summaries[action],
      usage: `users ${action} <id|email> [--json]`,
      options: {},
      positionals: 1,
    },
    async run(context) {
      const user = await withTessera(context, async (tessera) => {
        const { users, accounts } = tessera.services
        const found = await users.get(context.args.positionals[0] as string)
        if (action === 'verify-email') return accounts.verification.markVerified(found.id, CLI)
        if (action === 'send-verification') await accounts.verification.request(found.id, CLI, { operator: true })
        else await accounts.passwordReset.request({ email: found.email, ip: null, actor: CLI, operator: true })
        return found
      })
      const human = {
        'verify-email': `${user.email} is verified.`,
        'send-verification': user.emailVerified
          ? `${user.email} is already verified; nothing sent.`
          : `A verification message to ${user.email} is queued.`,
        'send-reset': `A password-reset link to ${user.email} is queued.`,
      }[action]
      context.output({ user: presentUser(user) }, human)
      return 0
    },
  }
}

export const usersVerifyEmailCommand = accountCommand('verify-email')
export const usersSendVerificationCommand = accountCommand('send-verification')
export const usersSendResetCommand = accountCommand('send-reset')
