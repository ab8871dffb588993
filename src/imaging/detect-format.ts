import { open } from 'node:fs/promises'
import type { Format } from '../keys.js'
import { CommandError, type Runner } from './run.js'

const HEAD_BYTES = 4096

// An SVG document: optional BOM, XML declaration, comments and doctype, then an <svg> root.
const SVG_HEAD = /^\uFEFF?\s*(<\?xml[^>]*\?>\s*)?((<!--[\s\S]*?-->|<!DOCTYPE[^>[]*(\[[\s\S]*?\])?\s*>)\s*)*<svg[\s>]/i

/** The format the bytes say, from their magic numbers; the file's name plays no part. */
export function sniffFormat (head: Buffer): Format | undefined {
  if (head.length >= 3 && head[0] === 0xFF && head[1] === 0xD8 && head[2] === 0xFF) return 'jpg'
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))) return 'png'
  const start = head.subarray(0, 6).toString('latin1')
  if (start === 'GIF87a' || start === 'GIF89a') return 'gif'
  if (SVG_HEAD.test(head.toString('utf8'))) return 'svg'
  return undefined
}

export interface DetectedImage {
  format: Format
  /** From the header; unknown for SVG. */
  width?: number
  height?: number
  frames?: number
}

/**
 * Sniffs the format, then has `identify -ping` read the header with that coder named, so a
 * file can never pick its own. SVG is confirmed later, when rsvg-convert renders it.
 */
export async function detectFormat (path: string, run: Runner): Promise<DetectedImage | undefined> {
  const format = sniffFormat(await readHead(path))
  if (format === undefined || format === 'svg') return format === undefined ? undefined : { format }
  try {
    const frames = (await run('identify', ['-ping', '-format', '%w %h\n', `${format}:${path}`])).trim().split('\n')
    const [width, height] = frames[0].split(' ').map(Number)
    return { format, width, height, frames: frames.length }
  } catch (error) {
    if (error instanceof CommandError) return undefined
    throw error
  }
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
