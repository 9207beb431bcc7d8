import { SETTINGS, settingKind } from './config-settings.js'

/**
 * Renders the configuration reference (docs/configuration.md) from the schema itself, so the
 * documentation cannot drift from the code. `npm run docs:config` writes it; a test compares.
 */
export function renderConfigDocs(): string {
  const rows = SETTINGS.map((setting) => {
    const fallback = setting.schema.default
    const shown = Array.isArray(fallback)
      ? fallback.length
        ? fallback.join(',')
        : '(none)'
      : fallback === ''
        ? '(derived)'
        : String(fallback)
    return `| \`${setting.key}\` | \`${setting.env ?? ''}\` | ${settingKind(setting.schema)} | \`${shown}\` | ${(setting.schema.description ?? '').replace(/\|/g, '\\|')} |`
  })
  return [
    '# Configuration reference',
    '',
    '<!-- Generated from packages/server/src/config/config-schema.ts by `npm run docs:config`. Do not edit by hand. -->',
    '',
    'Tessera reads its settings, lowest precedence first, from: the defaults below; a JSON config file named by',
    '`TESSERA_CONFIG` or `--config FILE` (nested keys, e.g. `{"session": {"idleTimeout": 3600}}`); the environment',
    'variables below; and command-line flags (`tessera start --port 4001`). Every value is validated at start-up;',
    'a bad one stops Tessera with a message naming the key and its variable. Durations are in seconds.',
    '',
    '| Key | Environment | Type | Default | Meaning |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n')
}
