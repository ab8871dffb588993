import type { UploadFormat } from '../formats.js'

/** What the header of an uploaded file says, read by our own parsers and `identify -ping`. */
export interface DetectedImage {
  format: UploadFormat
  /** From the header; for SVG, from its root when it states them. */
  width?: number
  height?: number
  frames?: number
  /** Why an SVG must not be stored. */
  unsafe?: string
  /** Why an SVG's size cannot be known before it is rendered. */
  unsized?: string
  /** For SVG: the pixels of the raster images it embeds. */
  embeddedPixels?: number
  /** For WebP, HEIC and AVIF: whether it has transparency (then it is stored as PNG). */
  alpha?: boolean
  /** For HEIC and AVIF: the pixels of every image decoded to show the primary one (tiles, alpha). */
  decodedPixels?: number
  /** For HEIC and AVIF: where the flags of the images other than the primary lie, to hide them from the decoder. */
  otherImages?: number[]
  /** For WebP, HEIC and AVIF: whether it is an animation. */
  animated?: boolean
  /** The bytes say this format, but not even its header can be read. */
  damaged?: boolean
}
