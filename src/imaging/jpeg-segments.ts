import { open, type FileHandle } from 'node:fs/promises'
import { EXIF_HEADER, setOrientation } from './exif.js'

const SOS = 0xDA
const APP1 = 0xE1
// Stray bytes between segments that libjpeg steps over (with a warning), and so do we.
const MAX_STRAY_BYTES = 1024

/** One marker segment before a JPEG's first scan: its marker and where its payload lies. */
interface Segment {
  marker: number
  start: number
  length: number
}

/** The segments up to and including the first scan's header, read one header at a time (the pixels are never read). */
async function segments (file: FileHandle): Promise<Segment[]> {
  const found: Segment[] = []
  const header = Buffer.alloc(4)
  for (let at = 2, stray = 0; ;) {
    const { bytesRead } = await file.read(header, 0, 4, at)
    if (bytesRead < 4) return found
    // Fill bytes (0xFF) may pad the space between segments.
    if (header[0] !== 0xFF || header[1] === 0xFF) {
      if (header[0] !== 0xFF && ++stray > MAX_STRAY_BYTES) return found
      at += 1
      continue
    }
    const length = header.readUInt16BE(2)
    found.push({ marker: header[1], start: at + 4, length: length - 2 })
    if (header[1] === SOS) return found
    at += 2 + length
  }
}

/** How many bytes of scan data a JPEG holds after its first scan's header (its end marker not counted); 0 without a scan. */
export async function scanDataBytes (path: string): Promise<number> {
  const file = await open(path)
  try {
    const scan = (await segments(file)).find(segment => segment.marker === SOS)
    return scan === undefined ? 0 : Math.max(0, (await file.stat()).size - (scan.start + scan.length) - 2)
  } finally {
    await file.close()
  }
}

/** Sets a JPEG's EXIF Orientation to 1 (upright) in place, for pixels already turned; a file without one is left alone. */
export async function markUpright (path: string): Promise<void> {
  const file = await open(path, 'r+')
  try {
    for (const { marker, start, length } of await segments(file)) {
      if (marker !== APP1 || length <= EXIF_HEADER.length) continue
      const { buffer } = await file.read(Buffer.alloc(length), 0, length, start)
      if (!buffer.subarray(0, EXIF_HEADER.length).equals(EXIF_HEADER)) continue
      const tiff = buffer.subarray(EXIF_HEADER.length)
      setOrientation(tiff, 1)
      await file.write(buffer, 0, length, start)
    }
  } finally {
    await file.close()
  }
}
