import { execFile } from 'node:child_process'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'

// An iPhone stores a photo as a grid of 512×512 HEVC tiles, which libheif decodes on every core;
// libheif 1.15's heif-enc writes one tile only. This writes the grid: heif-enc encodes the tiles
// as the images of one file, and its meta box is rebuilt with a grid item made of them.
const TILE = 512

export interface Box { type: string, start: number, size: number, body: Buffer }

export function boxes (bytes: Buffer): Box[] {
  const found: Box[] = []
  for (let at = 0; at + 8 <= bytes.length; at += bytes.readUInt32BE(at)) {
    const size = bytes.readUInt32BE(at)
    found.push({ type: bytes.toString('latin1', at + 4, at + 8), start: at, size, body: bytes.subarray(at + 8, at + size) })
  }
  return found
}

export const box = (type: string, ...parts: Buffer[]): Buffer => {
  const body = Buffer.concat(parts)
  const header = Buffer.alloc(8)
  header.writeUInt32BE(body.length + 8)
  header.write(type, 4, 'latin1')
  return Buffer.concat([header, body])
}
export const full = (type: string, version: number, flags: number, ...parts: Buffer[]): Buffer => box(type, Buffer.from([version, flags >> 16, (flags >> 8) & 255, flags & 255]), ...parts)
export const u16 = (...values: number[]): Buffer => Buffer.concat(values.map(value => Buffer.from([value >> 8, value & 255])))
export const u32 = (...values: number[]): Buffer => Buffer.concat(values.map(value => { const b = Buffer.alloc(4); b.writeUInt32BE(value); return b }))
export const child = (parent: Buffer, type: string): Buffer => (boxes(parent).find(found => found.type === type) as Box).body

/** Each item's associations (property index, essential) from an ipma box body (version and flags first). */
export function associations (ipma: Buffer): Map<number, Array<[number, boolean]>> {
  const [version, wide] = [ipma[0], (ipma[3] & 1) === 1]
  const map = new Map<number, Array<[number, boolean]>>()
  let at = 8
  for (let entry = 0; entry < ipma.readUInt32BE(4); entry++) {
    const item = version < 1 ? ipma.readUInt16BE(at) : ipma.readUInt32BE(at)
    at += version < 1 ? 2 : 4
    const list: Array<[number, boolean]> = []
    for (let n = ipma[at++]; n > 0; n--) {
      const value = wide ? ipma.readUInt16BE(at) : ipma[at]
      list.push(wide ? [value & 0x7FFF, value >= 0x8000] : [value & 0x7F, value >= 0x80])
      at += wide ? 2 : 1
    }
    map.set(item, list)
  }
  return map
}

/** Each item's file extents [offset, length] from an iloc box body. */
export function locations (iloc: Buffer): Map<number, Array<[number, number]>> {
  const version = iloc[0]
  const [offsetSize, lengthSize, baseSize] = [iloc[4] >> 4, iloc[4] & 15, iloc[5] >> 4]
  const indexSize = version > 0 ? iloc[5] & 15 : 0
  const read = (at: number, size: number): number => size === 0 ? 0 : iloc.readUIntBE(at, size)
  const map = new Map<number, Array<[number, number]>>()
  let at = 6
  const count = version < 2 ? iloc.readUInt16BE(at) : iloc.readUInt32BE(at)
  at += version < 2 ? 2 : 4
  for (let item = 0; item < count; item++) {
    const id = version < 2 ? iloc.readUInt16BE(at) : iloc.readUInt32BE(at)
    at += (version < 2 ? 2 : 4) + (version > 0 ? 2 : 0) + 2
    const base = read(at, baseSize)
    at += baseSize
    const extents: Array<[number, number]> = []
    for (let n = iloc.readUInt16BE(at), i = (at += 2, 0); i < n; i++) {
      at += indexSize
      extents.push([base + read(at, offsetSize), read(at + offsetSize, lengthSize)])
      at += offsetSize + lengthSize
    }
    map.set(id, extents)
  }
  return map
}

/** Writes `output`: the JPEG at `jpeg` (`width`×`height`) as a HEIC of 512×512 tiles at heif-enc's `quality`. */
export async function gridHeic (jpeg: string, width: number, height: number, dir: string, output: string, quality: number): Promise<void> {
  const [columns, rows] = [Math.ceil(width / TILE), Math.ceil(height / TILE)]
  await promisify(execFile)('convert', [jpeg, '-background', 'black', '-extent', `${columns * TILE}x${rows * TILE}`, '-crop', `${TILE}x${TILE}`, '+repage', '-strip', '-depth', '8', join(dir, 'tile-%03d.png')])
  const tiles = readdirSync(dir).filter(name => /^tile-\d+\.png$/.test(name)).sort().map(name => join(dir, name))
  await promisify(execFile)('heif-enc', ['-q', String(quality), ...tiles, '-o', join(dir, 'tiles.heic')])
  const file = readFileSync(join(dir, 'tiles.heic'))
  const metaBox = boxes(file).find(found => found.type === 'meta') as Box
  const meta = metaBox.body.subarray(4)
  const iinf = child(meta, 'iinf')
  const ipco = child(child(meta, 'iprp'), 'ipco')
  const items = [...associations(child(child(meta, 'iprp'), 'ipma')).entries()]
  const where = new Map([...locations(child(meta, 'iloc'))].sort(([a], [b]) => a - b))
  const grid = Math.max(...where.keys()) + 1
  // The tiles are hidden (infe flag 1): only the grid is an image to show.
  const hidden = Buffer.from(iinf.subarray(6))
  for (const entry of boxes(hidden)) hidden[entry.start + 11] |= 1
  const gridSize = boxes(ipco).length + 1
  const ipma = full('ipma', 0, 1, u32(items.length + 1), ...[...items, [grid, [[gridSize, false]]] as [number, Array<[number, boolean]>]].map(([item, list]) =>
    Buffer.concat([u16(item), Buffer.from([list.length]), ...list.map(([index, essential]) => u16(index | (essential ? 0x8000 : 0)))])))
  const descriptor = Buffer.from([0, 0, rows - 1, columns - 1, width >> 8, width & 255, height >> 8, height & 255])
  // The tiles' data stays where it was in the file but moves by the growth of the meta box.
  const build = (shift: number): Buffer => full('meta', 0, 0,
    box('hdlr', child(meta, 'hdlr')),
    full('pitm', 0, 0, u16(grid)),
    full('iinf', 0, 0, u16(iinf.readUInt16BE(4) + 1), hidden, full('infe', 2, 0, u16(grid, 0), Buffer.from('grid\0', 'latin1'))),
    full('iref', 0, 0, box('dimg', u16(grid, where.size), u16(...where.keys()))),
    box('iprp', box('ipco', ipco, full('ispe', 0, 0, u32(width, height))), ipma),
    full('iloc', 1, 0, Buffer.from([0x44, 0x00]), u16(where.size + 1),
      ...[...where.entries()].map(([id, extents]) => Buffer.concat([u16(id, 0, 0, extents.length), ...extents.map(([offset, length]) => u32(offset + shift, length))])),
      u16(grid, 1, 0, 1), u32(0, descriptor.length)),
    box('idat', descriptor))
  const rebuilt = build(build(0).length - metaBox.size)
  writeFileSync(output, Buffer.concat([file.subarray(0, metaBox.start), rebuilt, file.subarray(metaBox.start + metaBox.size)]))
}
