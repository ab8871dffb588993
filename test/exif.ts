import { readFileSync, writeFileSync } from 'node:fs'

/** Writes a copy of a JPEG with an EXIF block whose only tag is Orientation (1–8), as cameras write it. */
export function withOrientation (jpegPath: string, orientation: number, outPath: string): string {
  const jpeg = readFileSync(jpegPath)
  // Big-endian TIFF header, IFD0 with one entry: tag 0x0112, type SHORT, count 1, value.
  const tiff = Buffer.alloc(26)
  tiff.write('MM', 0)
  tiff.writeUInt16BE(42, 2)
  tiff.writeUInt32BE(8, 4)
  tiff.writeUInt16BE(1, 8)
  tiff.writeUInt16BE(0x0112, 10)
  tiff.writeUInt16BE(3, 12)
  tiff.writeUInt32BE(1, 14)
  tiff.writeUInt16BE(orientation, 18)
  const app1 = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff])
  const marker = Buffer.from([0xFF, 0xE1, 0, 0])
  marker.writeUInt16BE(app1.length + 2, 2)
  writeFileSync(outPath, Buffer.concat([jpeg.subarray(0, 2), marker, app1, jpeg.subarray(2)]))
  return outPath
}
