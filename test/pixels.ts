import { execFileSync } from 'node:child_process'

/** Debian's sRGB profile (icc-profiles-free), what the service converts to. */
export const SRGB = '/usr/share/color/icc/sRGB.icc'

/**
 * The mean colour of an image in sRGB, 0–255 a channel, after `convert` applies `steps` (an AVIF
 * read by ImageMagick comes as YCbCr, so it is converted first).
 */
export function meanColour (path: string, steps: string[] = []): number[] {
  const format = '%[fx:round(255*r)] %[fx:round(255*g)] %[fx:round(255*b)]'
  return execFileSync('convert', [`${path}[0]`, ...steps, '-colorspace', 'sRGB', '-scale', '1x1!', '-format', format, 'info:']).toString().split(' ').map(Number)
}

/** What a browser shows: the file's pixels converted with its own colour profile to sRGB. */
export function browserColour (path: string): number[] {
  return meanColour(path, ['-profile', SRGB])
}

/** The largest difference between two colours, channel by channel. */
export function colourDistance (a: number[], b: number[]): number {
  return Math.max(...a.map((value, i) => Math.abs(value - b[i])))
}

/** The image's colour profile's description, its bit depth and its colour space, as ImageMagick reads them. */
export function colourInfo (path: string): { profile: string, depth: number, colorspace: string } {
  const [profile, depth, colorspace] = execFileSync('identify', ['-format', '%[profile:icc]|%z|%[colorspace]\n', `${path}[0]`]).toString().trim().split('|')
  return { profile, depth: Number(depth), colorspace }
}
