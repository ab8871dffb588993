/**
 * Every image format the service knows, one record each. The keys' extensions, the content types,
 * the words of a refusal, the variants and their config switches derive from here, and a test
 * checks that imagemagick/policy.xml lets each coder do what its record needs. Adding a variant
 * format: a record here with a new switch in Config (and its variable), the coder in the policy,
 * tests.
 */
export interface FormatRecord {
  /** As people name it, in answers: `Damaged WebP file: …`. */
  name: string
  /** The Content-Type a stored file of this extension is served with. */
  mime: string
  /** ImageMagick's coder; none for SVG, which rsvg-convert renders and ImageMagick never reads. */
  coder?: string
  /** Kept under its own extension (originals and thumbnails); the others are converted on upload. */
  stored: boolean
  /** A variant: made besides each thumbnail when this Config flag is on. */
  variantSwitch?: 'generateWebp' | 'generateAvif'
}

// The order is the order of the logs' lines and of the variants' keys.
export const FORMAT_RECORDS = {
  jpg: { name: 'JPEG', mime: 'image/jpeg', coder: 'JPEG', stored: true },
  png: { name: 'PNG', mime: 'image/png', coder: 'PNG', stored: true },
  gif: { name: 'GIF', mime: 'image/gif', coder: 'GIF', stored: true },
  svg: { name: 'SVG', mime: 'image/svg+xml', stored: true },
  heic: { name: 'HEIC', mime: 'image/heic', coder: 'HEIC', stored: false },
  webp: { name: 'WebP', mime: 'image/webp', coder: 'WEBP', stored: false, variantSwitch: 'generateWebp' },
  avif: { name: 'AVIF', mime: 'image/avif', coder: 'AVIF', stored: false, variantSwitch: 'generateAvif' }
} as const satisfies Record<string, FormatRecord>

type Records = typeof FORMAT_RECORDS
/** Every format taken on upload, by its extension. */
export type UploadFormat = keyof Records
/** The extensions of stored files: originals and thumbnails. */
export type Format = { [F in UploadFormat]: Records[F]['stored'] extends true ? F : never }[UploadFormat]
/** Formats taken on upload but stored as a JPEG original (a PNG when transparent). */
export type ConvertedFormat = Exclude<UploadFormat, Format>
/** Formats made besides each thumbnail, for browsers that show them. */
export type ExtraFormat = { [F in UploadFormat]: Records[F] extends { variantSwitch: string } ? F : never }[UploadFormat]

const ALL = Object.keys(FORMAT_RECORDS) as UploadFormat[]
const record = (format: UploadFormat): FormatRecord => FORMAT_RECORDS[format]
export const FORMATS = ALL.filter((format): format is Format => record(format).stored)
export const CONVERTED_FORMATS = ALL.filter((format): format is ConvertedFormat => !record(format).stored)
export const EXTRA_FORMATS = ALL.filter((format): format is ExtraFormat => record(format).variantSwitch !== undefined)

/** Each format as people name it. */
export const formatName = (format: UploadFormat): string => record(format).name
