// Scanners for an SVG's text, each moving forward only (with indexOf or a loop), so that every
// character is looked at a bounded number of times whatever the bytes. Regular expressions with
// nested or adjacent quantifiers backtrack: `((<!--[\s\S]*?-->)\s*)*<svg` exponentially on a
// run of comments, `\s*([a-z]*)\s*$` quadratically on a run of spaces.

const SPACE = /\s/
const DIGIT_OR_DOT = /[\d.]/
const DIGIT = /\d/
const LETTER = /[a-z]/i
const SVG_ROOT = /^<svg[\s>]/i

/** Whether `text` (a file's first kilobytes) starts as an SVG document does. */
export function looksLikeSvg (text: string): boolean {
  let at = skipSpace(text, text.startsWith('\uFEFF') ? 1 : 0)
  if (text.startsWith('<?xml', at)) {
    const end = text.indexOf('>', at)
    if (end < 0 || text[end - 1] !== '?') return false
    at = skipSpace(text, end + 1)
  }
  for (let next = prologueItemEnd(text, at); next !== undefined; next = prologueItemEnd(text, at)) {
    if (next < 0) return false
    at = skipSpace(text, next)
  }
  return SVG_ROOT.test(text.slice(at, at + 5))
}

/** Where the comment or doctype at `at` ends; undefined when none starts there, -1 when it never ends. */
function prologueItemEnd (text: string, at: number): number | undefined {
  if (text.startsWith('<!--', at)) {
    const end = text.indexOf('-->', at + 4)
    return end < 0 ? -1 : end + 3
  }
  if (text.slice(at, at + 9).toUpperCase() === '<!DOCTYPE') return doctypeEnd(text, at + 9)
  return undefined
}

/** A doctype's end: its first `>`, or with an internal subset, the first `]` then `>` (spaces between). */
function doctypeEnd (text: string, from: number): number {
  let at = from
  while (at < text.length && text[at] !== '>' && text[at] !== '[') at++
  if (at >= text.length) return -1
  if (text[at] === '>') return at + 1
  for (let close = text.indexOf(']', at); close >= 0; close = text.indexOf(']', close + 1)) {
    const after = skipSpace(text, close + 1)
    if (text[after] === '>') return after + 1
  }
  return -1
}

/**
 * A trimmed SVG length split into its number (digits and dots, an optional exponent) and its
 * unit (letters, spaces allowed between); `number` is empty when the text is not of that shape.
 */
export function splitLength (text: string): { number: string, unit: string } {
  let at = 0
  while (at < text.length && DIGIT_OR_DOT.test(text[at])) at++
  if (at === 0) return { number: '', unit: '' }
  const sign = text[at + 1] === '+' || text[at + 1] === '-' ? 1 : 0
  if ((text[at] === 'e' || text[at] === 'E') && DIGIT.test(text[at + 1 + sign] ?? '')) {
    at += 1 + sign
    while (at < text.length && DIGIT.test(text[at])) at++
  }
  const number = text.slice(0, at)
  while (at < text.length && SPACE.test(text[at])) at++
  const unitStart = at
  while (at < text.length && LETTER.test(text[at])) at++
  return at === text.length ? { number, unit: text.slice(unitStart) } : { number: '', unit: '' }
}

/** Whether CSS loads something from outside the file: `@import`, or `url()` to anything but a `#fragment`. */
export function cssExternal (css: string): boolean {
  const lower = css.toLowerCase()
  if (lower.includes('@import')) return true
  for (let at = lower.indexOf('url('); at >= 0; at = lower.indexOf('url(', at + 4)) {
    let next = skipSpace(lower, at + 4)
    if (lower[next] === '"' || lower[next] === "'") next = skipSpace(lower, next + 1)
    if (lower[next] !== '#') return true
  }
  return false
}

export function skipSpace (text: string, from: number): number {
  let at = from
  while (at < text.length && SPACE.test(text[at])) at++
  return at
}
