import type { ByteSource } from './byte-source.js'

// Boxes before the meta box (ftyp, maybe free): a handful in any real file.
const MAX_TOP_BOXES = 64
// An iPhone's meta box is a few kilobytes; one of megabytes is no photo's.
const MAX_META_BYTES = 4 * 1024 * 1024
// Images made from other images: their own pixels are the output, not decoded.
const DERIVED = new Set(['grid', 'iden', 'iovl'])
// An alpha plane is an auxiliary image whose auxC property names one of these.
const ALPHA_URNS = new Set(['urn:mpeg:hevc:2015:auxid:1', 'urn:mpeg:mpegB:cicp:systems:auxiliary:alpha'])
const IMAGE_TYPES = new Set(['hvc1', 'av01', 'jpeg', 'unci', ...DERIVED])

/** What a HEIF file's meta box says of its primary image, read before anything decodes it. */
export interface HeifLayout {
  /** Whether the primary image has an alpha plane. */
  alpha: boolean
  /** The pixels the decoder touches to show the primary: its coded images (tiles, alpha) together. */
  decodedPixels: number
  /** Where, in the file, the flags byte of each other image lies: setting its hidden bit leaves the primary the only image shown. */
  otherImages: number[]
}

interface Box { type: string, body: number, end: number }
interface Item { type: string, flagsAt: number, hidden: boolean }

/** The primary image's layout; undefined when the file has no meta box, primary, or size to read. */
export async function heifLayout (source: ByteSource): Promise<HeifLayout | undefined> {
  const meta = await findMeta(source)
  return meta === undefined ? undefined : layoutOf(meta.bytes, meta.start)
}

async function findMeta (source: ByteSource): Promise<{ bytes: Buffer, start: number } | undefined> {
  for (let at = 0, count = 0; at + 8 <= source.size && count < MAX_TOP_BOXES; count++) {
    const header = await source.read(at, 16)
    const box = boxAt(header, 0, Math.min(header.length, source.size - at), source.size - at)
    if (box === undefined) return undefined
    if (box.type === 'meta') return box.end > MAX_META_BYTES ? undefined : { bytes: await source.read(at, box.end), start: at }
    at += box.end
  }
  return undefined
}

/**
 * The box whose header is at `at`, its end checked against `limit` (where its parent ends);
 * `readable` is how far the header itself may be read. Undefined when it does not fit.
 */
function boxAt (bytes: Buffer, at: number, readable: number, limit: number): Box | undefined {
  if (at + 8 > readable) return undefined
  const type = bytes.toString('latin1', at + 4, at + 8)
  let size = bytes.readUInt32BE(at)
  let body = at + 8
  if (size === 1) {
    if (at + 16 > readable) return undefined
    const large = bytes.readBigUInt64BE(at + 8)
    size = large > BigInt(limit - at) ? -1 : Number(large)
    body = at + 16
  } else if (size === 0) size = limit - at
  return size < body - at || at + size > limit ? undefined : { type, body, end: at + size }
}

function children (bytes: Buffer, from: number, to: number): Box[] {
  const found: Box[] = []
  for (let box = boxAt(bytes, from, to, to); box !== undefined; box = boxAt(bytes, box.end, to, to)) found.push(box)
  return found
}

function child (bytes: Buffer, parent: Box | undefined, type: string): Box | undefined {
  return parent === undefined ? undefined : children(bytes, parent.body, parent.end).find(box => box.type === type)
}

/** Reads a whole box's fields in order, each checked against the box's end. */
class Fields {
  constructor (private readonly bytes: Buffer, public at: number, private readonly end: number) {}
  uint (size: number): number {
    if (this.at + size > this.end) throw new RangeError('a field past its box')
    const value = this.bytes.readUIntBE(this.at, size)
    this.at += size
    return value
  }
}

function layoutOf (bytes: Buffer, fileStart: number): HeifLayout | undefined {
  const metaBox = boxAt(bytes, 0, bytes.length, bytes.length) as Box
  try {
    // meta is a full box: its version and flags come before its children.
    const parts = children(bytes, metaBox.body + 4, metaBox.end)
    const part = (type: string): Box | undefined => parts.find(box => box.type === type)
    const pitm = part('pitm')
    if (pitm === undefined) return undefined
    const primary = new Fields(bytes, pitm.body + 4, pitm.end).uint(bytes[pitm.body] === 0 ? 2 : 4)
    const items = readItems(bytes, part('iinf'))
    const references = readReferences(bytes, part('iref'))
    const properties = readProperties(bytes, part('iprp'))
    if (items.get(primary) === undefined) return undefined
    const alphaOf = (id: number): number | undefined => (references.get('auxl') ?? []).find(([from, to]) =>
      to === id && ALPHA_URNS.has(properties.get(from)?.auxType ?? ''))?.[0]
    const alpha = alphaOf(primary)
    const needed = closure(alpha === undefined ? [primary] : [primary, alpha], references.get('dimg') ?? [])
    let decodedPixels = 0
    for (const id of needed) {
      const size = properties.get(id)
      const item = items.get(id)
      if (item === undefined || size?.width === undefined || size.height === undefined) return undefined
      if (!DERIVED.has(item.type)) decodedPixels += size.width * size.height
    }
    const otherImages = [...items].filter(([id, item]) => IMAGE_TYPES.has(item.type) && !item.hidden && !needed.has(id)).map(([, item]) => fileStart + item.flagsAt)
    return { alpha: alpha !== undefined, decodedPixels, otherImages }
  } catch (error) {
    if (error instanceof RangeError) return undefined
    throw error
  }
}

/** The items named, and every item they are made of (a grid's tiles), however deep. */
function closure (start: number[], made: Array<[number, number]>): Set<number> {
  const parts = new Map<number, number[]>()
  for (const [from, to] of made) {
    const list = parts.get(from) ?? []
    list.push(to)
    parts.set(from, list)
  }
  const needed = new Set(start)
  for (const id of needed) for (const part of parts.get(id) ?? []) needed.add(part)
  return needed
}

function readItems (bytes: Buffer, iinf: Box | undefined): Map<number, Item> {
  const items = new Map<number, Item>()
  if (iinf === undefined) return items
  const first = iinf.body + 4 + (bytes[iinf.body] === 0 ? 2 : 4)
  for (const infe of children(bytes, first, iinf.end)) {
    const version = bytes[infe.body]
    if (infe.type !== 'infe' || version < 2) continue
    const fields = new Fields(bytes, infe.body + 4, infe.end)
    const id = fields.uint(version === 2 ? 2 : 4)
    fields.uint(2)
    const type = bytes.toString('latin1', fields.at, fields.at + 4)
    fields.uint(4)
    items.set(id, { type, flagsAt: infe.body + 3, hidden: (bytes[infe.body + 3] & 1) === 1 })
  }
  return items
}

/** Each reference type's (from, to) pairs. */
function readReferences (bytes: Buffer, iref: Box | undefined): Map<string, Array<[number, number]>> {
  const references = new Map<string, Array<[number, number]>>()
  if (iref === undefined) return references
  const idSize = bytes[iref.body] === 0 ? 2 : 4
  for (const reference of children(bytes, iref.body + 4, iref.end)) {
    const fields = new Fields(bytes, reference.body, reference.end)
    const from = fields.uint(idSize)
    const pairs = references.get(reference.type) ?? []
    for (let count = fields.uint(2); count > 0; count--) pairs.push([from, fields.uint(idSize)])
    references.set(reference.type, pairs)
  }
  return references
}

interface Properties { width?: number, height?: number, auxType?: string }

/** The size (ispe) and auxiliary type (auxC) associated with each item; each property read once. */
function readProperties (bytes: Buffer, iprp: Box | undefined): Map<number, Properties> {
  const found = new Map<number, Properties>()
  const ipco = child(bytes, iprp, 'ipco')
  const ipma = child(bytes, iprp, 'ipma')
  if (ipco === undefined || ipma === undefined) return found
  const list = children(bytes, ipco.body, ipco.end).map(property => propertyOf(bytes, property))
  const [version, wide] = [bytes[ipma.body], (bytes[ipma.body + 3] & 1) === 1]
  const fields = new Fields(bytes, ipma.body + 4, ipma.end)
  for (let entries = fields.uint(4); entries > 0; entries--) {
    const id = fields.uint(version < 1 ? 2 : 4)
    const properties: Properties = found.get(id) ?? {}
    for (let count = fields.uint(1); count > 0; count--) {
      Object.assign(properties, list[(fields.uint(wide ? 2 : 1) & (wide ? 0x7FFF : 0x7F)) - 1])
    }
    found.set(id, properties)
  }
  return found
}

function propertyOf (bytes: Buffer, { type, body, end }: Box): Properties {
  if (type === 'ispe') {
    const size = new Fields(bytes, body + 4, end)
    return { width: size.uint(4), height: size.uint(4) }
  }
  if (type !== 'auxC') return {}
  const name = bytes.subarray(Math.min(body + 4, end), end)
  const nul = name.indexOf(0)
  return { auxType: name.toString('latin1', 0, nul < 0 ? name.length : nul) }
}
