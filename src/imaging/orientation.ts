import { rename } from 'node:fs/promises'
import type { Format } from '../formats.js'
import type { Runner } from './run.js'

export type Rotation = 90 | -90 | 180

// The EXIF orientations, as ImageMagick names them, that need turning.
const SIDEWAYS = new Set(['TopRight', 'BottomRight', 'BottomLeft', 'LeftTop', 'RightTop', 'RightBottom', 'LeftBottom'])
// exiftran's flag for each clockwise rotation.
const EXIFTRAN_ROTATION: Record<string, string> = { 90: '-9', 180: '-1', 270: '-2' }

/** What a JPEG's header says, read without decoding it. */
interface JpegHeader {
  orientation: string
  width: number
  height: number
  /** Per component, `[horizontal, vertical]` sampling factors. */
  sampling: Array<[number, number]>
}

/** Turns a JPEG upright from its EXIF orientation, in place, and resets the tag. Returns whether it changed. */
export async function autoOrientJpeg (path: string, run: Runner): Promise<boolean> {
  const header = await readHeader(path, run)
  if (!SIDEWAYS.has(header.orientation)) return false
  // exiftran -a turns the image and its EXIF thumbnail and resets the tag in one pass.
  await transformJpeg(path, header, ['-a'], ['-auto-orient'], run)
  return true
}

/** Rotates an image clockwise in place: losslessly for JPEG, with every frame for GIF. */
export async function rotateImage (path: string, format: Exclude<Format, 'svg'>, rotation: Rotation, run: Runner): Promise<void> {
  const degrees = String((rotation + 360) % 360)
  if (format === 'jpg') {
    // Upright first, so an EXIF tag left on the original cannot turn the result again.
    await autoOrientJpeg(path, run)
    return await transformJpeg(path, await readHeader(path, run), [EXIFTRAN_ROTATION[degrees]], ['-rotate', degrees], run)
  }
  const output = `${path}.rotated`
  const frames = format === 'gif' ? ['-coalesce'] : []
  const finish = format === 'gif' ? ['-layers', 'optimize'] : []
  await run('convert', [`${format}:${path}`, ...frames, '-auto-orient', '-rotate', degrees, '+repage', ...finish, `${format}:${output}`])
  await rename(output, path)
}

async function readHeader (path: string, run: Runner): Promise<JpegHeader> {
  const [orientation, width, height, sampling] = (await run('identify', ['-ping', '-format', '%[orientation] %w %h %[jpeg:sampling-factor]', `jpg:${path}[0]`])).trim().split(' ')
  return {
    orientation,
    width: Number(width),
    height: Number(height),
    sampling: (sampling ?? '').split(',').map(factor => factor.split('x').map(Number) as [number, number])
  }
}

/**
 * exiftran moves DCT blocks, so no quality is lost, when the image is whole MCUs; otherwise it
 * would trim the edge blocks, so ImageMagick re-encodes instead, at the original's quality.
 * Writes beside `path`, then renames: thumbnails may be reading `path` meanwhile, and must see
 * either the file as sent or the finished one (a turned file still tagged sideways turns them twice).
 */
async function transformJpeg (path: string, header: JpegHeader, exiftran: string[], magick: string[], run: Runner): Promise<void> {
  const output = `${path}.transformed`
  if (wholeMcus(header)) {
    await run('exiftran', [...exiftran, '-o', output, path], { memory: transformMemory(header) })
  } else {
    // The quality comes from the quantization tables: -ping reads them without decoding the pixels.
    const quality = (await run('identify', ['-ping', '-format', '%Q', `jpg:${path}[0]`])).trim()
    await run('convert', [`jpg:${path}[0]`, ...magick, '-quality', quality || '92', `jpg:${output}`], { memory: REENCODE_BYTES_PER_PIXEL * header.width * header.height })
  }
  await rename(output, path)
}

/** The largest sampling factors: an MCU is eight times as many pixels each way. */
function mcu (sampling: Array<[number, number]>): [number, number] {
  return [Math.max(...sampling.map(([h]) => h)), Math.max(...sampling.map(([, v]) => v))]
}

function wholeMcus ({ width, height, sampling }: JpegHeader): boolean {
  const [h, v] = mcu(sampling)
  return h > 0 && v > 0 && width % (8 * h) === 0 && height % (8 * v) === 0
}

// Decoded at 16 bits a channel (8 bytes a pixel), and turned into a second image as large.
const REENCODE_BYTES_PER_PIXEL = 16

/** The whole image's DCT coefficients (two bytes each), held twice: as read and as turned. */
function transformMemory ({ width, height, sampling }: JpegHeader): number {
  const [h, v] = mcu(sampling)
  const share = sampling.reduce((sum, [x, y]) => sum + x * y, 0) / (h * v)
  return 2 * 2 * width * height * share
}
