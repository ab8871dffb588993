// EXIF is a TIFF block: a byte-order mark, then IFD0, whose entries are 12 bytes (tag, type,
// count, value). Only IFD0's Orientation (tag 0x0112, one SHORT) is read or changed here.
const ORIENTATION_TAG = 0x0112

/** What precedes the TIFF block in a JPEG's APP1 segment, and in some writers' WebP EXIF chunk. */
export const EXIF_HEADER = Buffer.from('Exif\0\0', 'latin1')

/** Where IFD0's Orientation value sits in `tiff`, and the block's byte order; undefined when it has none. */
function orientationAt (tiff: Buffer): { at: number, little: boolean } | undefined {
  if (tiff.length < 8) return undefined
  const little = tiff.toString('latin1', 0, 2) === 'II'
  const u16 = (at: number): number => little ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at)
  const ifd = little ? tiff.readUInt32LE(4) : tiff.readUInt32BE(4)
  if (ifd + 2 > tiff.length) return undefined
  for (let entry = ifd + 2; entry + 12 <= tiff.length && entry < ifd + 2 + 12 * u16(ifd); entry += 12) {
    if (u16(entry) === ORIENTATION_TAG) return { at: entry + 8, little }
  }
  return undefined
}

/** The EXIF Orientation (1–8) a TIFF block states; 1 (upright) when it states none. */
export function readOrientation (tiff: Buffer): number {
  const found = orientationAt(tiff)
  if (found === undefined) return 1
  const value = found.little ? tiff.readUInt16LE(found.at) : tiff.readUInt16BE(found.at)
  return value >= 1 && value <= 8 ? value : 1
}

/** Sets the Orientation a TIFF block states, in place, when it states one. */
export function setOrientation (tiff: Buffer, value: number): void {
  const found = orientationAt(tiff)
  if (found === undefined) return
  if (found.little) tiff.writeUInt16LE(value, found.at)
  else tiff.writeUInt16BE(value, found.at)
}
