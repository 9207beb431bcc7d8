import { migrateToLatest } from '../../store/migrate.js'
import type { Command } from '../command.js'
import { withTessera } from '../command.js'

export const migrateCommand: Command = {
  spec: {
    name: 'migrate',
    summary: 'Bring the database schema up to date (also done at every start).',
    usage: 'migrate [--json]',
    options: {},
  },
  async run(context) {
    const report = await withTessera({ ...context, open: () => context.open({ skipMigrations: true }) }, (tessera) =>
      migrateToLatest(tessera.database),
    )
    context.output(
      { applied: report.applied },
      report.applied.length === 0 ? 'The schema is up to date.' : `Applied: ${report.applied.join(', ')}`,
    )
    return 0
  },
}
