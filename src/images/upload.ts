import { HttpError, unsupportedFormat } from '../errors.js'
import { refusal } from '../imaging/limits.js'
import { CommandError } from '../imaging/run.js'
import { newKey, thumbnailFormat, type Format } from '../keys.js'
import { settleAll } from '../settle.js'
import type { Workspace } from '../storage/temp-folder.js'
import type { ImageContext } from './context.js'

/**
 * Checks the uploaded file at `path` (inside `workspace`), makes its thumbnails and stores all of
 * them in incoming under a new key; the WebP/AVIF variants follow in the background.
 */
export async function uploadImage (context: ImageContext, workspace: Workspace, path: string): Promise<{ key: string, format: Format }> {
  const { imaging, stores, variants } = context
  const image = await imaging.detect(path)
  if (image === undefined) throw unsupportedFormat()
  const refused = await refusal(image, path, context.maxImagePixels)
  if (refused !== undefined) throw new HttpError(400, refused)
  const { format } = image
  const key = newKey(format)
  // Before anything is stored: if the process dies from here on, the variants are still owed.
  await variants.mark(key)
  try {
    const [thumbnails] = await settleAll([
      imaging.thumbnails({ path, ...image }, key, workspace.dir),
      context.autoOrientOriginal && format === 'jpg' ? imaging.autoOrient(path) : undefined
    ])
    await settleAll(thumbnails.map(async thumbnail => await stores.incoming.put(thumbnail.key, thumbnail.path)))
    // The original goes last: once it is there, the whole image is.
    await stores.incoming.put(key, path)
    await variants.startFrom(key, thumbnails, thumbnailFormat(format))
  } catch (error) {
    // Our own commands on a file whose header looked right: the rest of it is not a valid image.
    throw error instanceof CommandError ? unsupportedFormat() : error
  }
  return { key, format }
}
