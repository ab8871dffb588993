import { ImageRefused } from '../errors.js'
import { refusal } from '../imaging/limits.js'
import { CommandError } from '../imaging/run.js'
import type { Thumbnail } from '../imaging/thumbnails.js'
import { newKey, thumbnailFormat, type Format } from '../keys.js'
import { settleAll } from '../settle.js'
import type { Workspace } from '../storage/temp-folder.js'
import { withTicket } from './admit.js'
import type { ServiceParts } from './image-service.js'

const unsupported = (cause?: unknown): ImageRefused => new ImageRefused('Unsupported image format.', { cause })

/**
 * Checks the uploaded file at `path` (inside `workspace`), makes its thumbnails and stores all of
 * them in incoming under a new key; the variants follow in the background. A refused or failed
 * upload leaves nothing behind.
 */
export async function uploadImage (parts: ServiceParts, workspace: Workspace, path: string): Promise<{ key: string, format: Format }> {
  return await withTicket(parts.admission, async ticket => await storeUpload({ ...parts, imaging: parts.imaging.in(ticket) }, workspace, path))
}

async function storeUpload (parts: ServiceParts, workspace: Workspace, path: string): Promise<{ key: string, format: Format }> {
  const { imaging, stores, variants } = parts
  const image = await imaging.detect(path)
  if (image === undefined) throw unsupported()
  const refused = await refusal(image, path, parts.maxImagePixels)
  if (refused !== undefined) throw new ImageRefused(refused)
  const { format } = image
  const key = newKey(format)
  let thumbnails: Thumbnail[]
  try {
    [thumbnails] = await settleAll([
      imaging.thumbnails({ path, ...image }, key, workspace.dir),
      parts.autoOrientOriginal && format === 'jpg' ? imaging.autoOrient(path) : undefined
    ])
  } catch (error) {
    // Our own commands on a file whose header looked right: the rest of it is not a valid image.
    throw error instanceof CommandError ? unsupported(error) : error
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
  return { key, format }
}
