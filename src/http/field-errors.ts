// The older service checked bodies with zod and answered its words: one line a bad field,
// `Bad parameter <field>: <what>`. Ajv (with allErrors) finds the same fields; these say them so.

export interface ValidationIssue {
  instancePath: string
  keyword: string
  params: Record<string, unknown>
}

interface FieldSchema {
  type?: string
  enum?: unknown[]
  anyOf?: FieldSchema[]
}

// A value echoed back is cut here: any value the service takes is far shorter.
const ECHO_LIMIT = 64

/** The lines for `issues`, in the order of the body schema's fields. */
export function fieldErrors (issues: ValidationIssue[], schema: { properties?: Record<string, FieldSchema> } | undefined, body: unknown): string {
  const fields = schema?.properties ?? {}
  const failing = new Map<string, boolean>()
  for (const issue of issues) {
    const missing = issue.keyword === 'required' ? issue.params.missingProperty : undefined
    const field = typeof missing === 'string' ? missing : issue.instancePath.split('/')[1] ?? ''
    failing.set(field, failing.get(field) === true || missing !== undefined)
  }
  const ordered = [...Object.keys(fields).filter(field => failing.has(field)), ...[...failing.keys()].filter(field => !(field in fields))]
  return ordered.map(field => `Bad parameter ${field}: ${what(fields[field], failing.get(field) === true, (body as Record<string, unknown> | undefined)?.[field])}`).join('\n')
}

/**
 * zod's words: `Required.` for a field absent; for a value outside a list of strings, the list and
 * the value; for anything else, and for a field that took one value or a list (zod's union), `Invalid input.`
 */
function what (schema: FieldSchema | undefined, missing: boolean, value: unknown): string {
  if (missing) return schema?.type === 'array' ? 'Invalid input.' : 'Required.'
  const options = [schema, ...(schema?.anyOf ?? [])].find(each => each?.type === 'string' && each.enum !== undefined)?.enum
  if (options === undefined || !(typeof value === 'string' || typeof value === 'number')) return 'Invalid input.'
  const received = String(value).length > ECHO_LIMIT ? `${String(value).slice(0, ECHO_LIMIT)}…` : String(value)
  return `Invalid enum value. Expected ${options.map(option => `'${String(option)}'`).join(' | ')}, received '${received}'.`
}
