import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { magick } from '../helpers.js'

/** One 600×400 picture in each format the service takes, made by the host's tools. */
export function everyFormat (dir: string): Record<string, string> {
  const made: Record<string, string> = {}
  const path = (format: string): string => (made[format] = join(dir, `photo.${format}`))
  magick('-size', '600x400', '-seed', '3', 'plasma:', '-quality', '90', path('jpg'))
  magick(made.jpg, path('png'))
  magick(made.jpg, path('gif'))
  magick(made.jpg, '-quality', '80', path('webp'))
  // heif-enc writes HEIC and AVIF from an 8-bit PNG.
  execFileSync('heif-enc', ['-q', '50', made.png, '-o', path('heic')])
  execFileSync('heif-enc', ['-A', '-q', '50', made.png, '-o', path('avif')])
  writeFileSync(path('svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="600" height="400"><rect width="600" height="400" fill="#3a6"/><circle cx="300" cy="200" r="150" fill="#c33"/></svg>')
  return made
}

/** A camera-sized JPEG of about 3 MB: at 256 KB/s its upload lasts longer than Docker's 10 s grace. */
export function largeJpeg (dir: string): string {
  const path = join(dir, 'large.jpg')
  magick('-size', '1800x1200', '-seed', '5', 'plasma:', '+noise', 'Gaussian', '-quality', '97', path)
  return path
}
