import { copyFile, open, writeFile } from 'node:fs/promises'
import type { ConvertedFormat, Format } from '../formats.js'
import type { DetectedImage } from './detected-image.js'
import { EXIF_HEADER, readOrientation } from './exif.js'
import { markUpright } from './jpeg-segments.js'
import type { Runner } from './run.js'
import { webpExif } from './webp.js'

/**
 * The JPEG quality an uploaded HEIC, AVIF or WebP is stored at: on a 12 MP photo, 44.5 dB PSNR
 * against the decoded HEIC at 1.6 times its size (95: 45.6 dB at 2.0 times; 90: 43.6 dB).
 * Chroma is halved each way, as in the HEIC an iPhone writes.
 */
export const CONVERTED_QUALITY = 92

// libheif holds the decoded planes and the RGB image (measured: 66 MB for 12 MP).
const HEIF_BYTES_PER_PIXEL = 8
// The flag of an item an image shows but a reader does not list (as a grid's tiles are).
const HIDDEN = 1
// ImageMagick decodes at 16 bits a channel and may turn the image into a copy.
const MAGICK_BYTES_PER_PIXEL = 16
// What turns each EXIF orientation (1–8) upright. (ImageMagick's -orient would write the old
// orientation back into the EXIF, which must say upright.)
const UPRIGHT: string[][] = [[], [], ['-flop'], ['-rotate', '180'], ['-flip'], ['-transpose'], ['-rotate', '90'], ['-transverse'], ['-rotate', '270']]

/**
 * Writes the original to store for an uploaded HEIC, AVIF or WebP into `outDir`: a JPEG, or a PNG
 * when it has transparency; upright, with its colour profile and its EXIF (Orientation then 1).
 * HEIC and AVIF are turned by their own rotation and mirror properties, which libheif applies, as
 * every HEIF reader does: their EXIF Orientation is not for readers. A WebP is turned by its EXIF.
 */
export async function storableOriginal (image: DetectedImage & { format: ConvertedFormat }, path: string, outDir: string, run: Runner): Promise<{ path: string, format: Format }> {
  const format = image.alpha === true ? 'png' : 'jpg'
  const pixels = (image.width ?? 0) * (image.height ?? 0)
  if (image.format === 'webp') return { path: await fromWebp(path, format, `${outDir}/converted.${format}`, run, MAGICK_BYTES_PER_PIXEL * pixels), format }
  const primary = await primaryOnly(path, image.otherImages ?? [], `${outDir}/primary.${image.format}`)
  const written = `${outDir}/converted.${format}`
  await run('heif-convert', ['--quiet', '-q', String(CONVERTED_QUALITY), primary, written], { memory: HEIF_BYTES_PER_PIXEL * (image.decodedPixels ?? pixels) })
  if (format === 'jpg') await markUpright(written)
  return { path: written, format }
}

/**
 * heif-convert decodes and writes every image of a file that is not hidden, and has no option for
 * the primary alone: a copy with the others marked hidden (the infe flag) leaves it only that one.
 */
async function primaryOnly (path: string, otherImages: number[], copy: string): Promise<string> {
  if (otherImages.length === 0) return path
  await copyFile(path, copy)
  const file = await open(copy, 'r+')
  try {
    // The flags all lie in the meta box (a few kilobytes, at most MAX_META_BYTES): one read, one write.
    const first = otherImages.reduce((a, b) => Math.min(a, b))
    const last = otherImages.reduce((a, b) => Math.max(a, b))
    const { buffer } = await file.read(Buffer.alloc(last - first + 1), 0, last - first + 1, first)
    for (const at of otherImages) buffer[at - first] |= HIDDEN
    await file.write(buffer, 0, buffer.length, first)
  } finally {
    await file.close()
  }
  return copy
}

async function fromWebp (path: string, format: Format, output: string, run: Runner, memory: number): Promise<string> {
  const exif = await webpExif(path)
  // ImageMagick reads a WebP's EXIF only from some writers, and never turns by it: both are done here.
  const profile = exif === undefined || format === 'png' ? [] : ['-profile', await exifFile(exif, `${output}.exif`)]
  await run('convert', [`webp:${path}[0]`, ...profile, ...UPRIGHT[exif === undefined ? 1 : readOrientation(exif)], '-quality', String(CONVERTED_QUALITY), `${format}:${output}`], { memory })
  // The orientation ImageMagick read, if it did, is written back: the pixels are upright now.
  if (format === 'jpg') await markUpright(output)
  return output
}

/** The EXIF as ImageMagick takes a profile from a file: JPEG's APP1 payload. */
async function exifFile (exif: Buffer, path: string): Promise<string> {
  await writeFile(path, Buffer.concat([EXIF_HEADER, exif]))
  return path
}
