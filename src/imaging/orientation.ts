import { rename } from 'node:fs/promises'
import type { Format } from '../keys.js'
import { CommandError, type Runner } from './run.js'

export type Rotation = 90 | -90 | 180

// EXIF orientation, as ImageMagick names it, to the lossless jpegtran transform that makes it upright.
const UPRIGHT: Record<string, string[]> = {
  TopRight: ['-flip', 'horizontal'],
  BottomRight: ['-rotate', '180'],
  BottomLeft: ['-flip', 'vertical'],
  LeftTop: ['-transpose'],
  RightTop: ['-rotate', '90'],
  RightBottom: ['-transverse'],
  LeftBottom: ['-rotate', '270']
}

/** Turns a JPEG upright from its EXIF orientation, in place, and resets the tag. Returns whether it changed. */
export async function autoOrientJpeg (path: string, run: Runner): Promise<boolean> {
  const orientation = (await run('identify', ['-ping', '-format', '%[orientation]', `jpg:${path}[0]`])).trim()
  const transform = UPRIGHT[orientation]
  if (transform === undefined) return false
  const upright = await transformJpeg(path, transform, ['-auto-orient'], run)
  // Lossless transforms keep the EXIF block as it was: mark it upright without touching the pixels.
  // Before the rename: thumbnails may be reading `path` meanwhile, and a rotated file still tagged
  // sideways would turn them twice.
  await run('exiftran', ['-a', '-ni', '-i', upright])
  await rename(upright, path)
  return true
}

/** Rotates an image clockwise in place: losslessly for JPEG, with every frame for GIF. */
export async function rotateImage (path: string, format: Exclude<Format, 'svg'>, rotation: Rotation, run: Runner): Promise<void> {
  const degrees = String((rotation + 360) % 360)
  if (format === 'jpg') {
    // Upright first, so an EXIF tag left on the original cannot turn the result again.
    await autoOrientJpeg(path, run)
    return await rename(await transformJpeg(path, ['-rotate', degrees], ['-rotate', degrees], run), path)
  }
  const output = `${path}.rotated`
  const frames = format === 'gif' ? ['-coalesce'] : []
  const finish = format === 'gif' ? ['-layers', 'optimize'] : []
  await run('convert', ['-regard-warnings', `${format}:${path}`, ...frames, '-auto-orient', '-rotate', degrees, '+repage', ...finish, `${format}:${output}`])
  await rename(output, path)
}

/**
 * jpegtran -perfect moves DCT blocks, so no quality is lost. It refuses when the size is not
 * whole MCUs (the edge blocks cannot move): then ImageMagick does it at the original's quality.
 * Writes beside `path` and returns where.
 */
async function transformJpeg (path: string, jpegtran: string[], magick: string[], run: Runner): Promise<string> {
  const output = `${path}.transformed`
  try {
    await run('jpegtran', ['-perfect', '-copy', 'all', ...jpegtran, '-outfile', output, path])
  } catch (error) {
    if (!(error instanceof CommandError)) throw error
    const quality = (await run('identify', ['-format', '%Q', `jpg:${path}[0]`])).trim()
    await run('convert', ['-regard-warnings', `jpg:${path}[0]`, ...magick, '-quality', quality || '92', `jpg:${output}`])
  }
  return output
}
