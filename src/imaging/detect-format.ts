import { open } from 'node:fs/promises'
import type { UploadFormat } from '../formats.js'
import { withFileSource } from './byte-source.js'
import { heifBrand } from './heif.js'
import { heifLayout } from './heif-items.js'
import type { DetectedImage } from './detected-image.js'
import { MAX_SIDE } from './limits.js'
import { CommandError, type Runner } from './run.js'
import { inspectSvg } from './svg-check.js'
import { looksLikeSvg } from './svg-scan.js'

const HEAD_BYTES = 4096

/** The format the bytes say, from their magic numbers; the file's name plays no part. */
export function sniffFormat (head: Buffer): UploadFormat | undefined {
  if (head.length >= 3 && head[0] === 0xFF && head[1] === 0xD8 && head[2] === 0xFF) return 'jpg'
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))) return 'png'
  const start = head.subarray(0, 6).toString('latin1')
  if (start === 'GIF87a' || start === 'GIF89a') return 'gif'
  if (head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') return 'webp'
  const heif = heifBrand(head)
  if (heif !== undefined) return heif.format
  if (looksLikeSvg(head.toString('utf8'))) return 'svg'
  return undefined
}

/**
 * Sniffs the format, then has `identify -ping` read the header with that coder named, so a
 * file can never pick its own. An SVG is read as strict XML and checked for what is unsafe to serve.
 */
export async function detectFormat (path: string, run: Runner): Promise<DetectedImage | undefined> {
  const head = await readHead(path)
  const format = sniffFormat(head)
  if (format === undefined) return undefined
  if (format === 'svg') {
    const svg = await inspectSvg(path)
    return svg === undefined ? undefined : { format, ...svg }
  }
  try {
    const frames = (await run('identify', ['-ping', '-format', '%w %h %W %H %A\n', `${format}:${path}`], { format })).trim().split('\n')
    // An animation's frames may be small pieces of its canvas (%W×%H): made whole, each is the canvas.
    const [w, h, canvasWidth, canvasHeight] = frames[0].split(' ').map(Number)
    const [width, height] = [Math.max(w, canvasWidth), Math.max(h, canvasHeight)]
    const image = { format, width, height, frames: frames.length }
    switch (format) {
      case 'webp':
        return { ...image, alpha: frames[0].endsWith(' True'), animated: frames.length > 1 }
      case 'heic':
      case 'avif': {
        // ImageMagick reads a HEIF file's primary image only, and does not say whether it has alpha.
        const layout = await withFileSource(path, heifLayout)
        return layout === undefined ? { format, damaged: true } : { ...image, ...layout, animated: heifBrand(head)?.sequence }
      }
      default:
        return image
    }
  } catch (error) {
    if (!(error instanceof CommandError)) throw error
    // ImageMagick will not even ping a PNG or GIF past its side limit: say how large from the header.
    const [width, height] = headerSize(format, head)
    return width > MAX_SIDE || height > MAX_SIDE ? { format, width, height, frames: 1 } : { format, damaged: true }
  }
}

/** A PNG's or GIF's size as its header states it; zeros when there is no such header. */
function headerSize (format: UploadFormat, head: Buffer): [number, number] {
  if (format === 'png' && head.length >= 24) return [head.readUInt32BE(16), head.readUInt32BE(20)]
  if (format === 'gif' && head.length >= 10) return [head.readUInt16LE(6), head.readUInt16LE(8)]
  return [0, 0]
}

async function readHead (path: string): Promise<Buffer> {
  const file = await open(path)
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(HEAD_BYTES), 0, HEAD_BYTES, 0)
    return buffer.subarray(0, bytesRead)
  } finally {
    await file.close()
  }
}
