import { open } from 'node:fs/promises'
import { formatName, type UploadFormat } from '../formats.js'
import type { DetectedImage } from './detected-image.js'
import { scanDataBytes } from './jpeg-segments.js'

/** ImageMagick's own width and height limit on Debian, and ours. */
export const MAX_SIDE = 16384

// librsvg decodes an SVG's embedded images whole, about 8 bytes a pixel: this keeps a render
// well under a gigabyte, whatever MAX_IMAGE_PIXELS allows.
export const MAX_EMBEDDED_PIXELS = 64_000_000

// Deflate never packs more than 1032 bytes into one, so a PNG cannot be shorter than its raw rows / 1032.
const DEFLATE_MAX_RATIO = 1032
// PNG colour type → samples a pixel (grey, RGB, palette, grey + alpha, RGBA).
const PNG_SAMPLES: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }

/** The answer for a file whose header is right but whose pixels do not decode. */
export const noPixels = (format: UploadFormat): string => `Damaged ${formatName(format)} file: no pixels in it can be decoded.`

/**
 * Why an image is refused from its header, before anything decodes it: an SVG unsafe to serve,
 * of no knowable size, or embedding too many pixels; a header that cannot be read; an animated
 * WebP or AVIF; too wide or tall, too many pixels (every frame counted); for PNG, a file too short
 * to hold what its header declares (a decompression bomb's tiny zlib stream); for JPEG, no scan
 * data at all, or too little for its size. Undefined when it may be decoded.
 */
export async function refusal ({ format, width, height, frames = 1, unsafe, unsized, embeddedPixels = 0, decodedPixels = 0, damaged, animated }: DetectedImage, path: string, maxPixels: number): Promise<string | undefined> {
  if (damaged === true) return noPixels(format)
  if (animated === true) return `Animated ${formatName(format)} is not accepted: send it as a GIF, or as a still image.`
  if (unsafe !== undefined) return `Unsafe SVG: ${unsafe}.`
  if (unsized !== undefined) return unsized
  const embeddedLimit = Math.min(maxPixels, MAX_EMBEDDED_PIXELS)
  if (embeddedPixels > embeddedLimit) return `Image too large: the SVG embeds images of ${embeddedPixels} pixels in all, over ${embeddedLimit}.`
  if (width === undefined || height === undefined) return undefined
  const size = `${width}×${height} px${frames > 1 ? ` × ${frames} frames` : ''}`
  if (width > MAX_SIDE || height > MAX_SIDE) return `Image too large: ${size}, over ${MAX_SIDE} px a side.`
  if (width * height * frames > maxPixels) return `Image too large: ${size}, over ${maxPixels} pixels.`
  if (decodedPixels > maxPixels) return `Image too large: its primary image decodes ${decodedPixels} pixels (tiles and alpha), over ${maxPixels}.`
  if (format === 'png' && await pngTooShort(path, width, height)) return `Image data too short for its ${size} header.`
  if (format === 'jpg') return await jpegRefusal(path, width, height, size)
  return undefined
}

/**
 * However plain the image, Huffman coding spends at least a bit on each 8×8 block of the first
 * component (its DC code). A JPEG with less data is no photo cut short but a tiny file declaring
 * a huge canvas, refused as for PNG. (Arithmetic coding can spend less; almost nothing writes it.)
 */
async function jpegRefusal (path: string, width: number, height: number, size: string): Promise<string | undefined> {
  const data = await scanDataBytes(path)
  if (data === 0) return noPixels('jpg')
  if (data < Math.ceil(width / 8) * Math.ceil(height / 8) / 8) return `Image data too short for its ${size} header.`
  return undefined
}

async function pngTooShort (path: string, width: number, height: number): Promise<boolean> {
  const file = await open(path)
  try {
    // IHDR: signature (8), length (4), type (4), width (4), height (4), then bit depth and colour type.
    const { buffer } = await file.read(Buffer.alloc(2), 0, 2, 24)
    const bits = buffer[0] * (PNG_SAMPLES[buffer[1]] ?? 1)
    // Each row: a filter byte, then its samples (an interlaced image only holds more).
    const rawBytes = height * (1 + Math.ceil(width * bits / 8))
    return (await file.stat()).size < rawBytes / DEFLATE_MAX_RATIO
  } finally {
    await file.close()
  }
}
