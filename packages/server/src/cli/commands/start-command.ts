import { createTessera } from '../../app/tessera.js'
import { isPlainHttpLocalhost } from '../../sessions/session-cookie.js'
import { optionalInteger } from '../cli-args.js'
import type { Command } from '../command.js'

export const startCommand: Command = {
  spec: {
    name: 'start',
    summary: 'Start the Tessera server (migrations run first).',
    usage: 'start [--port N] [--host H] [--config FILE]',
    options: {
      port: { type: 'string', description: 'port to listen on (TESSERA_PORT, default 4000)' },
      host: { type: 'string', description: 'interface to bind (TESSERA_HOST, default localhost)' },
    },
  },
  async run(context) {
    const { args, io } = context
    const overrides = {
      ...(args.values.port !== undefined ? { port: optionalInteger(args, 'port', 4000, 65535) } : {}),
      ...(typeof args.values.host === 'string' ? { host: args.values.host } : {}),
    }
    const config = context.config(overrides)
    const tessera = await createTessera(config, { ...io.runtime })
    const app = await tessera.app()
    let address: string
    let metricsAddress: string | undefined
    try {
      await tessera.startBackgroundTasks()
      address = await app.listen({ port: config.port, host: config.host })
      metricsAddress = (await tessera.startMetricsServer())?.address
    } catch (error) {
      await tessera.close()
      throw error
    }
    io.onShutdown(() => tessera.close())
    const log = tessera.logger
    log.info({ address, issuer: config.issuer, database: tessera.database.description }, 'Tessera is listening')
    if (metricsAddress) log.info({ address: metricsAddress }, 'Metrics (no authentication) at /metrics on this address')
    if (tessera.masterKeyGenerated) {
      log.warn(`Generated a development master key in ${config.dataDir}/master.key; set TESSERA_MASTER_KEY in production.`)
    }
    if (!tessera.cookie.secure) {
      log.warn(
        'Development mode: the issuer is plain-http localhost, so the session cookie is sent without Secure and without the __Host- prefix. Serve Tessera over https (TESSERA_ISSUER=https://…) in production.',
      )
    }
    if (isPlainHttpLocalhost(config.issuer) && config.host !== 'localhost' && config.host !== '127.0.0.1') {
      log.warn({ host: config.host }, 'Listening beyond localhost while the issuer is http://localhost')
    }
    log.info('Create a user with: tessera users create --email you@example.com --password-stdin')
    return 0
  },
}
