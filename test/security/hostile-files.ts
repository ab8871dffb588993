import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { crc32 } from 'node:zlib'
import { makeImage } from '../helpers.js'

// Hostile files, made byte by byte as an attacker would.

function pngChunk (type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([length, body, crc])
}

/** A PNG whose IHDR declares `width`×`height` grey pixels, followed by a zlib stream of a few bytes. */
export function pngBomb (dir: string, width: number, height: number): string {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr[8] = 8
  const signature = Buffer.from([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
  // zlib header, then a deflate block that repeats zeros: far too short for the rows declared.
  const idat = Buffer.from([0x78, 0x9C, 0x63, 0x60, 0x18, 0x05, 0xA3, 0x60, 0x14, 0x0C, 0x00, 0x00])
  const path = join(dir, `bomb-${width}x${height}.png`)
  writeFileSync(path, Buffer.concat([signature, pngChunk('IHDR', ihdr), pngChunk('IDAT', idat), pngChunk('IEND', Buffer.alloc(0))]))
  return path
}

/** A small real JPEG whose SOF marker claims `width`×`height`. */
export function lyingJpeg (dir: string, width: number, height: number): string {
  const jpeg = Buffer.from(readFileSync(makeImage(dir, 'honest.jpg', '64x64')))
  const sof = jpeg.indexOf(Buffer.from([0xFF, 0xC0]))
  jpeg.writeUInt16BE(height, sof + 5)
  jpeg.writeUInt16BE(width, sof + 7)
  const path = join(dir, `lying-${width}x${height}.jpg`)
  writeFileSync(path, jpeg)
  return path
}

/** A GIF of `frames` one-pixel frames on a `width`×`height` canvas: tiny, but each frame made whole is the canvas. */
export function manyFramesGif (dir: string, width: number, height: number, frames: number): string {
  const screen = Buffer.alloc(13)
  screen.write('GIF89a', 0, 'latin1')
  screen.writeUInt16LE(width, 6)
  screen.writeUInt16LE(height, 8)
  const frame = Buffer.from([
    0x21, 0xF9, 0x04, 0x00, 0x0A, 0x00, 0x00, 0x00, // graphic control: 0.1 s
    0x2C, 0, 0, 0, 0, 0x01, 0x00, 0x01, 0x00, 0x80, // 1×1 at 0,0 with a 2-colour local table
    0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, // red, blue
    0x02, 0x02, 0x44, 0x01, 0x00 // LZW: clear, pixel 0, end
  ])
  const path = join(dir, `frames-${frames}.gif`)
  writeFileSync(path, Buffer.concat([screen, ...Array.from({ length: frames }, () => frame), Buffer.from([0x3B])]))
  return path
}

/** A RIFF chunk: id, little-endian length, data (padded to even). */
function riffChunk (id: string, length: number, data: Buffer): Buffer {
  const header = Buffer.alloc(8)
  header.write(id, 0, 'latin1')
  header.writeUInt32LE(length, 4)
  return Buffer.concat([header, data, Buffer.alloc(data.length % 2)])
}

/** A real WebP with `chunks` appended, its RIFF size made right. */
function webpWith (dir: string, name: string, chunks: Buffer[]): string {
  const webp = readFileSync(makeImage(dir, `${name}.src`, '64x48', { coder: 'webp' }))
  const bytes = Buffer.concat([webp, ...chunks])
  bytes.writeUInt32LE(bytes.length - 8, 4)
  const path = join(dir, name)
  writeFileSync(path, bytes)
  return path
}

/** A WebP whose EXIF chunk says it is `length` bytes long, and holds a few. */
export function webpExifLength (dir: string, length: number): string {
  return webpWith(dir, `exif-${length}.webp`, [riffChunk('EXIF', length, Buffer.from('MM\0*\0\0\0\x08', 'latin1'))])
}

/** A WebP followed by `count` empty JUNK chunks, then an EXIF chunk. */
export function webpJunk (dir: string, count: number): string {
  const junk = riffChunk('JUNK', 0, Buffer.alloc(0))
  return webpWith(dir, 'junk.webp', [...Array.from({ length: count }, () => junk), riffChunk('EXIF', 8, Buffer.from('MM\0*\0\0\0\x08', 'latin1'))])
}

/** A 64×48 JPEG with `fill` bytes of 0xFF between its APP0 segment and the next. */
export function jpegFill (dir: string, fill: number): string {
  const jpeg = readFileSync(makeImage(dir, 'fill.src.jpg', '64x48'))
  const afterApp0 = 4 + jpeg.readUInt16BE(4)
  const path = join(dir, 'fill.jpg')
  writeFileSync(path, Buffer.concat([jpeg.subarray(0, afterApp0), Buffer.alloc(fill, 0xFF), jpeg.subarray(afterApp0)]))
  return path
}

/** The SVG head that froze the event loop: `count` empty comments, then not an SVG. */
export function svgCommentRun (count: number): string {
  return `${'<!---->'.repeat(count)}x`
}

/** An SVG whose width is `1`, `spaces` spaces, then `!`: quadratic for a regex with adjacent `\s*`. */
export function svgSpacedWidth (dir: string, spaces: number): string {
  const path = join(dir, 'spaced.svg')
  writeFileSync(path, `<svg xmlns="http://www.w3.org/2000/svg" width="1${' '.repeat(spaces)}!" height="10"/>`)
  return path
}
