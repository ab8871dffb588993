import type { Format } from '../formats.js'

/** An image file a pipeline reads: where, in which format, and what is known of its size. */
export interface Source {
  path: string
  format: Format
  /** The stored size, when known: it lets a JPEG be shrunk on load. */
  width?: number
  height?: number
  frames?: number
  /** For SVG: the pixels of the images it embeds, which its renderer decodes whole. */
  embeddedPixels?: number
}
