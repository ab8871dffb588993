import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'

/** One thumbnail size: `<stem><suffix>.<ext>` made with these ImageMagick arguments. */
export const ResizeRuleSchema = Type.Object({
  // Letters only, so a suffix never blurs into the digits of a key.
  suffix: Type.String({ pattern: '^[A-Za-z]{1,8}$' }),
  convert: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })
}, { additionalProperties: false })
export type ResizeRule = Static<typeof ResizeRuleSchema>

export const DEFAULT_RESIZING: ResizeRule[] = [
  { suffix: 'BI', convert: ['-thumbnail', '1500x1500>', '-quality', '90'] },
  { suffix: 'MI', convert: ['-thumbnail', '400x400>', '-quality', '90'] },
  { suffix: 'SI', convert: ['-thumbnail', '200x200^', '-gravity', 'center', '-extent', '200x200', '-quality', '90'] }
]

/** Parses RESIZING_CONFIG; throws a message that says what is wrong. */
export function parseResizing (json: string): ResizeRule[] {
  let rules: unknown
  try {
    rules = JSON.parse(json)
  } catch {
    throw new Error('is not valid JSON')
  }
  if (!Value.Check(Type.Array(ResizeRuleSchema, { minItems: 1 }), rules)) {
    throw new Error('must be a list of { "suffix": "BI", "convert": ["-thumbnail", "1500x1500>"] }, suffixes of letters only')
  }
  const suffixes = rules.map(rule => rule.suffix)
  if (new Set(suffixes).size !== suffixes.length) throw new Error('has the same suffix twice')
  return rules
}
