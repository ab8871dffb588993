import { open, readFile, writeFile } from 'node:fs/promises'
import { skipSpace } from './svg-scan.js'

// Adobe Illustrator declares its namespace URLs as entities in an internal DTD subset of every
// SVG it exports. Such a subset is expanded here and the DOCTYPE dropped, so that neither the XML
// check nor the renderer nor a browser ever reads a DTD. Anything else in a subset (an external
// or parameter entity, an entity that names another, markup declarations, or more than the
// bounds) leaves the file as it is, and the check refuses it.
const MAX_ENTITIES = 64
const MAX_ENTITY_BYTES = 1024
// Characters all expansions may add together: a few namespace URLs take a few hundred.
const MAX_EXPANSION = 1024 * 1024
// Where the `[` of a DOCTYPE comes at the latest, after the XML declaration and a generator's
// comment: the subset itself may run past it (the whole file is read then).
const PROLOGUE_BYTES = 16 * 1024
const MAX_NAME = 64
const NAME_START = /[A-Za-z_:]/
const NAME_CHAR = /[\w.:-]/
const ENTITY = '<!ENTITY'

/** Rewrites the SVG at `path` without its internal subset, its entities expanded, when it has one this takes. */
export async function inlineSvgEntities (path: string): Promise<void> {
  const file = await open(path)
  const head = await file.read(Buffer.alloc(PROLOGUE_BYTES), 0, PROLOGUE_BYTES, 0).finally(async () => await file.close())
  if (subsetStart(head.buffer.subarray(0, head.bytesRead).toString('utf8')) === undefined) return
  const text = await readFile(path, 'utf8')
  const inlined = inlineEntities(text)
  if (inlined !== undefined && inlined !== text) await writeFile(path, inlined)
}

/**
 * `text` without its DOCTYPE and with the entities its internal subset declares expanded; `text`
 * itself when it has no subset; undefined when it has one this does not take.
 */
export function inlineEntities (text: string): string | undefined {
  const start = subsetStart(text)
  if (start === undefined) return text
  const entities = new Map<string, string>()
  let at = skipSpace(text, start.subset)
  while (text[at] !== ']') {
    if (text.startsWith('<!--', at)) {
      const end = text.indexOf('-->', at + 4)
      if (end < 0) return undefined
      at = skipSpace(text, end + 3)
      continue
    }
    const declared = entityDeclaration(text, at)
    if (declared === undefined || entities.size >= MAX_ENTITIES) return undefined
    if (!entities.has(declared.name)) entities.set(declared.name, declared.value)
    at = skipSpace(text, declared.end)
  }
  const end = skipSpace(text, at + 1)
  if (text[end] !== '>') return undefined
  const body = expand(text.slice(end + 1), entities)
  return body === undefined ? undefined : text.slice(0, start.doctype) + body
}

/** Where the DOCTYPE starts and its internal subset (after `[`), when the prologue has one. */
function subsetStart (text: string): { doctype: number, subset: number } | undefined {
  let at = skipSpace(text, text.startsWith('\uFEFF') ? 1 : 0)
  // The XML declaration and comments before the DOCTYPE.
  for (let end = prologueItemEnd(text, at); end > 0; end = prologueItemEnd(text, at)) at = skipSpace(text, end)
  if (!text.startsWith('<!DOCTYPE', at)) return undefined
  // The name and an external id, whose quoted literals may hold any character but their quote.
  for (let next = at + 9; next < text.length; next++) {
    const char = text[next]
    if (char === '>') return undefined
    if (char === '[') return { doctype: at, subset: next + 1 }
    if (char === '"' || char === "'") {
      next = text.indexOf(char, next + 1)
      if (next < 0) return undefined
    }
  }
  return undefined
}

/** Past the processing instruction or comment at `at`; -1 when none is there, or it never ends. */
function prologueItemEnd (text: string, at: number): number {
  const close = text.startsWith('<?', at) ? '?>' : text.startsWith('<!--', at) ? '-->' : undefined
  const end = close === undefined ? -1 : text.indexOf(close, at + 2)
  return end < 0 ? -1 : end + (close as string).length
}

/** `<!ENTITY name "literal">` at `at`, its literal without `&`, `<` or `%` and within bounds; else undefined. */
function entityDeclaration (text: string, at: number): { name: string, value: string, end: number } | undefined {
  if (!text.startsWith(ENTITY, at)) return undefined
  const nameStart = skipSpace(text, at + ENTITY.length)
  let nameEnd = nameStart
  while (nameEnd - nameStart <= MAX_NAME && NAME_CHAR.test(text[nameEnd] ?? '')) nameEnd++
  // A parameter entity (`%`), a name too long or none at all, or no space before the literal.
  if (nameStart === at + ENTITY.length || !NAME_START.test(text[nameStart] ?? '') || nameEnd - nameStart > MAX_NAME) return undefined
  const open = skipSpace(text, nameEnd)
  const quote = text[open]
  // SYSTEM or PUBLIC: an external entity.
  if (open === nameEnd || (quote !== '"' && quote !== "'")) return undefined
  const close = text.indexOf(quote, open + 1)
  const value = text.slice(open + 1, close)
  if (close < 0 || Buffer.byteLength(value) > MAX_ENTITY_BYTES || value.includes('&') || value.includes('<') || value.includes('%')) return undefined
  const end = skipSpace(text, close + 1)
  return text[end] === '>' ? { name: text.slice(nameStart, nameEnd), value, end: end + 1 } : undefined
}

/**
 * `body` with each `&name;` of a declared entity replaced by its literal, quotes escaped so that
 * it means the same inside an attribute. Comments, CDATA sections and processing instructions are
 * left as they are: the XML parser does not expand there either. Undefined past MAX_EXPANSION.
 */
function expand (body: string, entities: Map<string, string>): string | undefined {
  const out: string[] = []
  let copied = 0
  let added = 0
  let amp = body.indexOf('&')
  let lt = body.indexOf('<')
  while (amp >= 0) {
    if (lt >= 0 && lt < amp) {
      const after = markupEnd(body, lt)
      if (after < 0) break
      if (after > amp) amp = body.indexOf('&', after)
      lt = body.indexOf('<', after)
      continue
    }
    const semicolon = body.slice(amp + 1, amp + MAX_NAME + 2).indexOf(';')
    const value = semicolon < 0 ? undefined : entities.get(body.slice(amp + 1, amp + 1 + semicolon))
    if (value !== undefined) {
      const escaped = value.replaceAll('"', '&quot;').replaceAll("'", '&apos;')
      added += escaped.length
      if (added > MAX_EXPANSION) return undefined
      out.push(body.slice(copied, amp), escaped)
      copied = amp + semicolon + 2
    }
    amp = body.indexOf('&', amp + 1)
  }
  out.push(body.slice(copied))
  return out.join('')
}

/** Past the comment, CDATA section or processing instruction at `at`, else past its `<`; -1 when it never ends. */
function markupEnd (body: string, at: number): number {
  for (const [open, close] of [['<!--', '-->'], ['<![CDATA[', ']]>'], ['<?', '?>']]) {
    if (!body.startsWith(open, at)) continue
    const end = body.indexOf(close, at + open.length)
    return end < 0 ? -1 : end + close.length
  }
  return at + 1
}
