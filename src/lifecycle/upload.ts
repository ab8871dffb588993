import { ImageRefused } from '../errors.js'
import type { DetectedImage } from '../imaging/detected-image.js'
import { MAX_SIDE, noPixels, refusal } from '../imaging/limits.js'
import { inlineSvgEntities } from '../imaging/svg-entities.js'
import { CommandError } from '../imaging/run.js'
import type { Thumbnail } from '../imaging/thumbnails.js'
import { CONVERTED_FORMATS, type ConvertedFormat, type Format, type UploadFormat } from '../formats.js'
import { newKey, thumbnailFormat } from '../keys.js'
import { settleAll } from '../settle.js'
import type { Workspace } from '../storage/temp-folder.js'
import { withTicket } from './admit.js'
import type { ServiceParts } from './parts.js'

const unsupported = (): ImageRefused => new ImageRefused('Unsupported image format.')

/**
 * Checks the uploaded file at `path` (inside `workspace`), makes its thumbnails and stores all of
 * them in incoming under a new key; the variants follow in the background. A HEIC, AVIF or WebP
 * is first made the JPEG (or PNG) original to store. A refused or failed upload leaves nothing behind.
 */
export async function uploadImage (parts: ServiceParts, workspace: Workspace, path: string): Promise<{ key: string, format: UploadFormat }> {
  return await withTicket(parts.admission, async ticket => await storeUpload({ ...parts, imaging: parts.imaging.in(ticket) }, workspace, path))
}

async function storeUpload (parts: ServiceParts, workspace: Workspace, upload: string): Promise<{ key: string, format: UploadFormat }> {
  const { imaging, stores, variants } = parts
  const sent = await checked(parts, upload)
  const { path, image } = isConverted(sent) ? await storable(parts, sent, upload, workspace) : { path: upload, image: { ...sent, format: sent.format as Format } }
  const { format } = image
  const key = newKey(format)
  let thumbnails: Thumbnail[]
  try {
    [thumbnails] = await settleAll([
      imaging.thumbnails({ path, ...image }, key, workspace.dir),
      parts.autoOrientOriginal && format === 'jpg' ? imaging.autoOrient(path) : undefined
    ])
  } catch (error) {
    throw error instanceof CommandError ? decodeFailure(error, image) : error
  }
  // Accepted. The marker goes before anything is stored: if the process dies from here on, the variants are still owed.
  await variants.owe(key)
  try {
    await settleAll(thumbnails.map(async thumbnail => await stores.incoming.put(thumbnail.key, thumbnail.path)))
    // The original goes last: once it is there, the whole image is.
    await stores.incoming.put(key, path)
  } catch (error) {
    await stores.incoming.deleteMany([key, ...thumbnails.map(thumbnail => thumbnail.key)]).catch(() => {})
    await variants.settle(key).catch(() => {})
    throw error
  }
  await variants.startFrom(key, thumbnails, thumbnailFormat(format))
  return { key, format: sent.format }
}

/** The file's format and size, once nothing in its header refuses it. */
async function checked ({ imaging, maxImagePixels }: ServiceParts, path: string): Promise<DetectedImage> {
  // An SVG as Illustrator exports it: its entities expanded, its DTD gone, before anything reads it.
  await inlineSvgEntities(path)
  const image = await imaging.detect(path)
  if (image === undefined) throw unsupported()
  const refused = await refusal(image, path, maxImagePixels)
  if (refused !== undefined) throw new ImageRefused(refused)
  return image
}

function isConverted (image: DetectedImage): image is DetectedImage & { format: ConvertedFormat } {
  return (CONVERTED_FORMATS as readonly string[]).includes(image.format)
}

/**
 * The original to store for a HEIC, AVIF or WebP upload. Its size is the sent file's, maybe turned
 * a quarter: every step of the thumbnail plan reads a size either way round.
 */
async function storable (parts: ServiceParts, image: DetectedImage & { format: ConvertedFormat }, path: string, workspace: Workspace): Promise<{ path: string, image: DetectedImage & { format: Format } }> {
  const converted = await parts.imaging.storable(image, path, workspace.dir).catch(error => {
    throw error instanceof CommandError ? new ImageRefused(noPixels(image.format), { cause: error }) : error
  })
  return { path: converted.path, image: { format: converted.format, width: image.width, height: image.height, frames: 1 } }
}

/**
 * Our own commands failed on a file whose header looked right: its pixels do not decode, unless a
 * thumbnail rule asked for an image past ImageMagick's side limit.
 */
function decodeFailure (error: CommandError, image: DetectedImage): ImageRefused {
  const tooWide = /width or height exceeds limit/.test(error.stderr)
  const message = tooWide ? `Image too large for a thumbnail rule: from ${image.width ?? 0}×${image.height ?? 0} px, a rule's image would pass ${MAX_SIDE} px a side.` : noPixels(image.format)
  return new ImageRefused(message, { cause: error })
}
