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
