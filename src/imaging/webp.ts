import { withFileSource, type ByteSource } from './byte-source.js'
import { EXIF_HEADER } from './exif.js'

// A still WebP has at most a handful of chunks (VP8X, ICCP, ALPH, VP8, EXIF, XMP); past these
// the file is no photo, and its EXIF is not looked for.
const MAX_CHUNKS = 64
// JPEG caps EXIF at 64 KiB; a WebP's may be larger, never megabytes.
const MAX_EXIF_BYTES = 1024 * 1024

/** The EXIF block (TIFF) of a WebP file, from its `EXIF` chunk; undefined when it has none. */
export async function webpExif (path: string): Promise<Buffer | undefined> {
  return await withFileSource(path, findWebpExif)
}

/**
 * The EXIF chunk comes after the image data, so only the chunk headers are read on the way; a
 * length that points past the file ends the walk, so nothing is allocated from a length alone.
 */
export async function findWebpExif (source: ByteSource): Promise<Buffer | undefined> {
  // RIFF header (12 bytes), then chunks: a four-letter id, a little-endian length, the data padded to even.
  for (let at = 12, chunks = 0; at + 8 <= source.size && chunks < MAX_CHUNKS; chunks++) {
    const header = await source.read(at, 8)
    const length = header.readUInt32LE(4)
    if (length > source.size - at - 8) return undefined
    if (header.toString('latin1', 0, 4) === 'EXIF') {
      if (length > MAX_EXIF_BYTES) return undefined
      const exif = Buffer.from(await source.read(at + 8, length))
      // Some writers start the chunk with JPEG's "Exif\0\0", as the specification once said.
      return exif.subarray(0, EXIF_HEADER.length).equals(EXIF_HEADER) ? exif.subarray(EXIF_HEADER.length) : exif
    }
    at += 8 + length + (length % 2)
  }
  return undefined
}
