import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { associations, box, boxes, child, full, locations, u16, u32, type Box } from '../heif-grid.js'
import { makeImage } from '../helpers.js'

/** A HEIC of one `size` image (heif-enc, 8 bits). */
export function plainHeic (dir: string, name: string, size: string): string {
  const png = makeImage(dir, `${name}.png`, size, { args: ['-depth', '8'] })
  execFileSync('heif-enc', ['-q', '50', png, '-o', join(dir, name)])
  return join(dir, name)
}

/**
 * A 64×64 HEIC (its primary image) with `extra` more top-level images that say they are
 * `side`×`side` and share the primary's coded bytes: tiny, but a decoder that decodes every image
 * decodes them all.
 */
export function manyImagesHeic (dir: string, extra: number, side: number): string {
  const file = readFileSync(plainHeic(dir, 'one.heic', '64x64'))
  const metaBox = boxes(file).find(found => found.type === 'meta') as Box
  const meta = metaBox.body.subarray(4)
  const iprp = child(meta, 'iprp')
  const ipco = child(iprp, 'ipco')
  const [primary] = [...associations(child(iprp, 'ipma')).entries()]
  const [extents] = [...locations(child(meta, 'iloc')).values()]
  const ids = Array.from({ length: extra }, (_, i) => i + 2)
  const ispe = boxes(ipco).length + 1
  const codec = primary[1].map(([index]) => index).filter(index => boxes(ipco)[index - 1].type !== 'ispe')
  const ipma = full('ipma', 0, 1, u32(1 + extra), ...[primary, ...ids.map(id => [id, [...codec.map(index => [index, true]), [ispe, false]]] as [number, Array<[number, boolean]>])].map(([item, list]) =>
    Buffer.concat([u16(item), Buffer.from([list.length]), ...list.map(([index, essential]) => u16(index | (essential ? 0x8000 : 0)))])))
  const build = (shift: number): Buffer => full('meta', 0, 0,
    box('hdlr', child(meta, 'hdlr')),
    full('pitm', 0, 0, u16(1)),
    full('iinf', 0, 0, u16(1 + extra), ...[1, ...ids].map(id => full('infe', 2, 0, u16(id, 0), Buffer.from('hvc1\0', 'latin1')))),
    box('iprp', box('ipco', ipco, full('ispe', 0, 0, u32(side, side))), ipma),
    full('iloc', 1, 0, Buffer.from([0x44, 0x00]), u16(1 + extra),
      ...[1, ...ids].map(id => Buffer.concat([u16(id, 0, 0, extents.length), ...extents.map(([offset, length]) => u32(offset + shift, length))]))))
  const rebuilt = build(build(0).length - metaBox.size)
  const path = join(dir, `images-${extra}.heic`)
  writeFileSync(path, Buffer.concat([file.subarray(0, metaBox.start), rebuilt, file.subarray(metaBox.start + metaBox.size)]))
  return path
}

/** A HEIC of a `large` image then a 64×64 one, its primary item the second (pitm 2). */
export function secondIsPrimaryHeic (dir: string, large: string): string {
  const pngs = [makeImage(dir, 'large.png', large, { args: ['-depth', '8'] }), makeImage(dir, 'small.png', '64x64', { args: ['-depth', '8'] })]
  const path = join(dir, 'second-primary.heic')
  execFileSync('heif-enc', ['-q', '50', ...pngs, '-o', path])
  const bytes = readFileSync(path)
  bytes.writeUInt16BE(2, bytes.indexOf('pitm') + 8)
  writeFileSync(path, bytes)
  return path
}

/** A HEIC without alpha whose bytes hold the alpha URN anyway, in a `free` box at its end. */
export function alphaWordHeic (dir: string): string {
  const path = plainHeic(dir, 'no-alpha.heic', '64x64')
  writeFileSync(path, Buffer.concat([readFileSync(path), box('free', Buffer.from('urn:mpeg:hevc:2015:auxid:1', 'latin1'))]))
  return path
}
