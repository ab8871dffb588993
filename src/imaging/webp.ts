import { open } from 'node:fs/promises'
import { EXIF_HEADER } from './exif.js'

/**
 * The EXIF block (TIFF) of a WebP file, from its `EXIF` chunk; undefined when it has none. The
 * chunk comes after the image data, so only the chunk headers are read on the way.
 */
export async function webpExif (path: string): Promise<Buffer | undefined> {
  const file = await open(path)
  try {
    const size = (await file.stat()).size
    const header = Buffer.alloc(8)
    // RIFF header (12 bytes), then chunks: a four-letter id, a little-endian length, the data padded to even.
    for (let at = 12; at + 8 <= size;) {
      await file.read(header, 0, 8, at)
      const length = header.readUInt32LE(4)
      if (header.toString('latin1', 0, 4) === 'EXIF') {
        const { buffer, bytesRead } = await file.read(Buffer.alloc(length), 0, length, at + 8)
        const exif = buffer.subarray(0, bytesRead)
        // Some writers start the chunk with JPEG's "Exif\0\0", as the specification once said.
        return exif.subarray(0, EXIF_HEADER.length).equals(EXIF_HEADER) ? exif.subarray(EXIF_HEADER.length) : exif
      }
      at += 8 + length + (length % 2)
    }
    return undefined
  } finally {
    await file.close()
  }
}
