import type { OpenApiDocument, OpenApiOperation } from './admin-openapi.js'

type Schema = {
  type?: string | string[]
  properties?: Record<string, Schema>
  required?: string[]
  items?: Schema
  anyOf?: Schema[]
  const?: unknown
  enum?: unknown[]
  pattern?: string
  format?: string
  minimum?: number
  maximum?: number
  minLength?: number
  maxLength?: number
  minItems?: number
  maxItems?: number
  minProperties?: number
  default?: unknown
  description?: string
}

/**
 * Renders the admin API reference (docs/admin-api-reference.md) from the OpenAPI document, so
 * the reference cannot drift from the routes: a test compares the committed file with this.
 */
export function renderAdminApiReference(document: OpenApiDocument): string {
  const lines = [
    '# Admin API reference',
    '',
    '<!-- Generated from the OpenAPI document by `npm run docs:admin-api`; do not edit by hand. -->',
    '',
    `${document.info.description}`,
    '',
    `OpenAPI ${document.openapi}, API version ${document.info.version}. The document itself is served at \`GET /admin/v1/openapi.json\` (admin:read).`,
    'Every error is an RFC 9457 problem document (`application/problem+json`) with a stable `code`.',
    '',
    '| Method | Path | Permission | Summary |',
    '|---|---|---|---|',
  ]
  const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ path, method: method.toUpperCase(), operation })),
  )
  for (const { path, method, operation } of operations) {
    lines.push(`| ${method} | \`${path}\` | ${operation['x-permission']} | ${cell(operation.summary)} |`)
  }
  for (const { path, method, operation } of operations) lines.push('', ...renderOperation(method, path, operation))
  return `${lines.join('\n')}\n`
}

function renderOperation(method: string, path: string, operation: OpenApiOperation): string[] {
  const lines = [`## ${method} ${path}`, '', `${operation.summary}.`, '', `Permission: \`${operation['x-permission']}\`.`]
  if (operation.parameters?.length) {
    lines.push('', '| Parameter | In | Required | Type |', '|---|---|---|---|')
    for (const parameter of operation.parameters) {
      lines.push(
        `| \`${parameter.name}\` | ${parameter.in} | ${parameter.required ? 'yes' : 'no'} | ${describe(parameter.schema as Schema)} |`,
      )
    }
  }
  const body = operation.requestBody?.content['application/json'].schema as Schema | undefined
  if (body) {
    lines.push('', `Body (JSON, unknown fields refused${body.minProperties ? ', at least one field' : ''}):`, '')
    lines.push(...fields(body))
  }
  lines.push('', 'Responses:', '')
  for (const [status, response] of Object.entries(operation.responses)) {
    const schema = response.content ? (Object.values(response.content)[0]?.schema as Schema) : undefined
    const shape =
      schema && Number(status) < 400 && schema.properties
        ? `: ${Object.keys(schema.properties)
            .map((key) => `\`${key}\``)
            .join(', ')}`
        : ''
    lines.push(`- \`${status}\` ${response.description}${shape}`)
  }
  return lines
}

function fields(schema: Schema): string[] {
  const required = new Set(schema.required ?? [])
  const rows = ['| Field | Required | Type |', '|---|---|---|']
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    rows.push(`| \`${name}\` | ${required.has(name) ? 'yes' : 'no'} | ${describe(property)} |`)
  }
  return rows
}

/** A one-line description of a schema: type, bounds, pattern, then its description. */
function describe(schema: Schema): string {
  const parts = [typeOf(schema)]
  if (schema.minimum !== undefined || schema.maximum !== undefined) parts.push(`${schema.minimum ?? ''}..${schema.maximum ?? ''}`)
  if (schema.minLength !== undefined || schema.maxLength !== undefined)
    parts.push(`length ${schema.minLength ?? 0}..${schema.maxLength ?? ''}`)
  if (schema.minItems !== undefined || schema.maxItems !== undefined) parts.push(`${schema.minItems ?? 0}..${schema.maxItems ?? ''} items`)
  if (schema.pattern) parts.push(`pattern \`${schema.pattern}\``)
  if (schema.default !== undefined) parts.push(`default ${JSON.stringify(schema.default)}`)
  const text = parts.join(', ')
  return cell(schema.description ? `${text}. ${schema.description}` : text)
}

function typeOf(schema: Schema): string {
  if (schema.const !== undefined) return JSON.stringify(schema.const)
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(' \\| ')
  if (schema.type === 'array') return `array of ${schema.items ? typeOf(schema.items) : 'any'}`
  if (schema.format) return `${schema.type} (${schema.format})`
  return Array.isArray(schema.type) ? schema.type.join(' \\| ') : (schema.type ?? 'any')
}

function cell(text: string): string {
  return text.replace(/\|/g, (match, offset: number, whole: string) => (whole[offset - 1] === '\\' ? match : '\\|')).replace(/\n/g, ' ')
}
