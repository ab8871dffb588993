import { open } from 'node:fs/promises'
import { withFileSource, type ByteSource } from './byte-source.js'
import { EXIF_HEADER, setOrientation } from './exif.js'

const SOS = 0xDA
const APP1 = 0xE1
// Stray and fill bytes between segments, which libjpeg steps over: a few in damaged files,
// never kilobytes in a real one. Past these the walk stops, as at a file with no scan.
const MAX_SKIPPED_BYTES = 1024
// A real JPEG has a dozen segments before its first scan (APPn, DQT, SOF, DHT).
const MAX_SEGMENTS = 256

/** One marker segment before a JPEG's first scan: its marker and where its payload lies. */
export interface Segment {
  marker: number
  start: number
  length: number
}

/**
 * The segments up to and including the first scan's header, each inside the file (the pixels
 * are never read). Bounded: at most MAX_SEGMENTS segments and MAX_SKIPPED_BYTES skipped.
 */
export async function jpegSegments (source: ByteSource): Promise<Segment[]> {
  const found: Segment[] = []
  for (let at = 2, skipped = 0; found.length < MAX_SEGMENTS && skipped <= MAX_SKIPPED_BYTES;) {
    const header = await source.read(at, 4)
    if (header.length < 4) return found
    // Fill bytes (0xFF) and stray bytes may pad the space between segments.
    if (header[0] !== 0xFF || header[1] === 0xFF) {
      skipped++
      at += 1
      continue
    }
    const length = header.readUInt16BE(2)
    if (length < 2 || at + 2 + length > source.size) return found
    found.push({ marker: header[1], start: at + 4, length: length - 2 })
    if (header[1] === SOS) return found
    at += 2 + length
  }
  return found
}

/** How many bytes of scan data a JPEG holds after its first scan's header (its end marker not counted); 0 without a scan. */
export async function scanDataBytes (path: string): Promise<number> {
  return await withFileSource(path, async source => {
    const scan = (await jpegSegments(source)).find(segment => segment.marker === SOS)
    return scan === undefined ? 0 : Math.max(0, source.size - (scan.start + scan.length) - 2)
  })
}

/** Sets a JPEG's EXIF Orientation to 1 (upright) in place, for pixels already turned; a file without one is left alone. */
export async function markUpright (path: string): Promise<void> {
  const changed = await withFileSource(path, uprightSegments)
  if (changed.length === 0) return
  const file = await open(path, 'r+')
  try {
    for (const { start, bytes } of changed) await file.write(bytes, 0, bytes.length, start)
  } finally {
    await file.close()
  }
}

/** The EXIF segments of a JPEG with their Orientation set to 1, and where each goes. */
export async function uprightSegments (source: ByteSource): Promise<Array<{ start: number, bytes: Buffer }>> {
  const changed: Array<{ start: number, bytes: Buffer }> = []
  for (const { marker, start, length } of await jpegSegments(source)) {
    if (marker !== APP1 || length <= EXIF_HEADER.length) continue
    const bytes = Buffer.from(await source.read(start, length))
    if (!bytes.subarray(0, EXIF_HEADER.length).equals(EXIF_HEADER)) continue
    setOrientation(bytes.subarray(EXIF_HEADER.length), 1)
    changed.push({ start, bytes })
  }
  return changed
}
