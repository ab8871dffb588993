import { createReadStream } from 'node:fs'
import { imageSize } from 'image-size'
import { SaxesParser, type SaxesTagPlain } from 'saxes'
import { cssExternal, splitLength } from './svg-scan.js'

export interface SvgFacts {
  /** Why the file must not be stored, if it must not: it is served from the public bucket as it is. */
  unsafe?: string
  /** The size it renders at, in px, from its root. */
  width?: number
  height?: number
  /** Why its size cannot be known before rendering it. */
  unsized?: string
  /** The pixels of every raster image it embeds, all decoded whole to render it or to show it. */
  embeddedPixels?: number
}

// Elements that run code or embed another document.
const ACTIVE_ELEMENTS = new Set(['script', 'foreignobject', 'iframe', 'embed', 'object', 'handler', 'listener'])
// Attributes whose value is loaded or followed.
const REFERENCES = new Set(['href', 'src'])
// A reference may only point inside the file, or hold an image inline.
const SAFE_REFERENCE = /^\s*(#|data:image\/(png|jpeg|gif|webp);)/i
// Where the schemes hide behind whitespace or entities, so look without them.
const JAVASCRIPT = /javascript:|vbscript:/i
// The units librsvg reads in a root's size; em and ex at its default font size. It reads others
// (rem, ch, vw, Q, ...) as if they were not there, so an SVG in those is refused, not guessed at.
const PX_PER_UNIT: Record<string, number> = { '': 1, px: 1, pt: 4 / 3, pc: 16, mm: 96 / 25.4, cm: 96 / 2.54, in: 96, em: 12, ex: 6 }
// What SAFE_REFERENCE lets an SVG embed, as image-size names them.
const EMBEDDED_TYPES = new Set(['png', 'jpg', 'gif', 'webp'])
const DATA_IMAGE = /^\s*data:image\/[a-z+]+;(base64,)?/i

/**
 * Reads an SVG as strict XML, without expanding any entity or fetching anything, and says
 * whether it is safe to serve: no scripts, event handlers, javascript: URLs, foreignObject,
 * external references (href, src, CSS url(), @import, stylesheet instructions) or DTD internal
 * subset. Undefined when it is not well-formed XML.
 */
export async function inspectSvg (path: string): Promise<SvgFacts | undefined> {
  const facts: SvgFacts = {}
  const refuse = (why: string): void => { facts.unsafe ??= why }
  const parser = new SaxesParser()
  let inStyle = false
  let root = true
  parser.on('doctype', doctype => { if (doctype.includes('[')) refuse('a DTD internal subset (entities)') })
  parser.on('processinginstruction', () => refuse('a processing instruction'))
  parser.on('opentag', tag => {
    const name = localName(tag.name)
    if (ACTIVE_ELEMENTS.has(name)) refuse(`a <${name}> element`)
    inStyle = name === 'style'
    if (root) Object.assign(facts, rootSize(tag as SaxesTagPlain))
    root = false
    for (const [attribute, value] of Object.entries((tag as SaxesTagPlain).attributes)) {
      const local = localName(attribute)
      if (REFERENCES.has(local) && DATA_IMAGE.test(value)) {
        const pixels = embeddedPixels(value)
        if (pixels === undefined) refuse('an embedded image that cannot be measured')
        facts.embeddedPixels = (facts.embeddedPixels ?? 0) + (pixels ?? 0)
      }
      if (local.startsWith('on')) refuse(`an event handler (${attribute})`)
      if (JAVASCRIPT.test(value.replace(/[\s\p{Cc}]/gu, ''))) refuse(`a script URL (${attribute})`)
      if (REFERENCES.has(local) && !SAFE_REFERENCE.test(value)) refuse(`an external reference (${attribute})`)
      if (local === 'style' && cssExternal(value)) refuse('an external reference in CSS')
    }
  })
  parser.on('closetag', () => { inStyle = false })
  const css = (text: string): void => { if (inStyle && cssExternal(text)) refuse('an external reference in CSS') }
  parser.on('text', css)
  parser.on('cdata', css)
  try {
    for await (const chunk of createReadStream(path, 'utf8')) parser.write(chunk as string)
    parser.close()
  } catch {
    // Not well-formed; an entity declared in the DTD and then used ends here too, already refused.
    return facts.unsafe === undefined ? undefined : facts
  }
  return facts
}

function localName (name: string): string {
  return name.slice(name.indexOf(':') + 1).toLowerCase()
}

/**
 * The root's width and height in px; its viewBox's where they are missing or in %, as librsvg
 * does. Otherwise why they cannot be known: without either, librsvg sizes the SVG by its content.
 */
function rootSize ({ attributes }: SaxesTagPlain): Pick<SvgFacts, 'width' | 'height' | 'unsized'> {
  const box = (attributes.viewBox ?? '').trim().split(/[\s,]+/).map(Number)
  const sides = [length(attributes.width, box[2]), length(attributes.height, box[3])]
  const unreadable = sides.find(side => typeof side === 'string')
  if (unreadable !== undefined) return { unsized: `SVG size "${unreadable}" is not in a unit it can be rendered in (px, pt, pc, mm, cm, in, em, ex, or % with a viewBox).` }
  const [width, height] = sides as Array<number | undefined>
  if (width === undefined || height === undefined || !(width > 0 && height > 0)) return { unsized: 'SVG without a size: its root needs a width and a height, or a viewBox.' }
  return { width: Math.ceil(width), height: Math.ceil(height) }
}

/** A length in px; the viewBox's side when missing or relative; the value itself when unreadable. */
function length (value: string | undefined, boxSide: number | undefined): number | string | undefined {
  if (value === undefined || value.trim().endsWith('%')) return Number.isFinite(boxSide) ? boxSide : undefined
  const { number, unit } = splitLength(value.trim())
  const perUnit = PX_PER_UNIT[unit.toLowerCase()]
  return number === '' || perUnit === undefined ? value.trim().slice(0, 40) : Number(number) * perUnit
}

/** The pixels of an image inlined as a data: URL, from its header; undefined when it has none. */
function embeddedPixels (url: string): number | undefined {
  const comma = url.indexOf(',')
  const data = url.slice(comma + 1)
  const bytes = /;base64,/i.test(url.slice(0, comma + 1)) ? Buffer.from(data, 'base64') : Buffer.from(decodeURIComponent(data), 'latin1')
  try {
    const { width, height, type } = imageSize(bytes)
    return EMBEDDED_TYPES.has(type ?? '') && width > 0 && height > 0 ? width * height : undefined
  } catch {
    return undefined
  }
}
