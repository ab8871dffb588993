import { randomInt } from 'node:crypto'
import { FORMATS, type ExtraFormat, type Format } from './formats.js'

// Keys end in a stored format's extension (formats.ts): a converted upload's original is a JPEG
// (a PNG when transparent), so every client shows it.

/** A new unique key: `<unix seconds>_<10 random digits>.<ext>`, as the older service made them. */
export function newKey (ext: Format): string {
  const seconds = Math.floor(Date.now() / 1000)
  const random = String(randomInt(0, 10_000_000_000)).padStart(10, '0')
  return `${seconds}_${random}.${ext}`
}

/**
 * The key pattern the routes accept. The random part may have fewer than 10 digits:
 * keys such as `1475660224_882910455.jpg` from the older service are still in use.
 */
export function keyPattern (suffixes: string[]): string {
  const variant = suffixes.length > 0 ? `(${suffixes.join('|')})?` : ''
  return `^\\d{10}_\\d{1,10}${variant}\\.(${FORMATS.join('|')})$`
}

const ORIGINAL = new RegExp(keyPattern([]))

// Words used throughout: an image's *original* is what was uploaded; its *thumbnails* are the
// smaller sizes (RESIZING_CONFIG) in the original's format; its *variants* are those thumbnails
// again as WebP or AVIF. Its *family* is all of them.

/** Whether `key` names an original, not one of its thumbnails or variants. */
export function isOriginal (key: string): boolean {
  return ORIGINAL.test(key)
}

export function formatOf (key: string): Format {
  return key.slice(key.lastIndexOf('.') + 1) as Format
}

/** The extension of a format's thumbnails: SVG is rasterized to JPEG, the others keep theirs. */
export function thumbnailFormat (format: Format): Format {
  return format === 'svg' ? 'jpg' : format
}

/** The key of one thumbnail of `key`, or with an extra `format` of a variant: `<stem><suffix>.<ext>`. */
export function thumbnailKey (key: string, suffix: string, format: Format | ExtraFormat = thumbnailFormat(formatOf(key))): string {
  const stem = key.slice(0, key.lastIndexOf('.'))
  return `${stem}${suffix}.${format}`
}

/** The thumbnails' keys, then the variants' in each of `extra` formats. */
export function familyKeys (key: string, suffixes: string[], extra: readonly ExtraFormat[] = []): string[] {
  return [
    ...suffixes.map(suffix => thumbnailKey(key, suffix)),
    ...variantKeys(key, suffixes, extra)
  ]
}

/** The variants' keys: every thumbnail in each of `extra` formats. */
export function variantKeys (key: string, suffixes: string[], extra: readonly ExtraFormat[]): string[] {
  return extra.flatMap(format => suffixes.map(suffix => thumbnailKey(key, suffix, format)))
}

/**
 * Markers of owed work have a prefix of their own, which no image key has (keys start with a
 * digit): a sweep lists only them, whatever else incoming holds.
 */
export const PENDING_PREFIX = 'pending-'
/** How markers were named before: `<key>.pending`, taken up once by a listing at start. */
export const LEGACY_PENDING = '.pending'

/** The incoming object that says work on `key` is owed (it outlives a restart). */
export function pendingMarker (key: string): string {
  return `${PENDING_PREFIX}${key}`
}

/** The ending before a claim's random part: `<key>.lock.<random>`. */
export const CLAIM = '.lock.'

/**
 * The image a stored key belongs to, as far as its name says: an original is its own, a marker or
 * a claim names its key; a thumbnail or variant says only its stem (`<seconds>_<digits>`), since
 * an SVG's thumbnails are JPEGs. Undefined for names of no image (a partial file).
 */
export function ownerOf (stored: string): { stem: string, key?: string } | undefined {
  const name = stored.startsWith(PENDING_PREFIX) ? stored.slice(PENDING_PREFIX.length) : stored
  let at = 0
  while (at < name.length && at < 10 && isDigit(name[at])) at++
  if (at !== 10 || name[at] !== '_') return undefined
  at++
  while (at < name.length && isDigit(name[at])) at++
  const named = name.endsWith(LEGACY_PENDING) ? name.slice(0, -LEGACY_PENDING.length) : name.includes(CLAIM) ? name.slice(0, name.indexOf(CLAIM)) : name
  return { stem: name.slice(0, at), key: isOriginal(named) ? named : undefined }
}

function isDigit (char: string): boolean {
  return char >= '0' && char <= '9'
}
