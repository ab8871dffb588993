import { unsupportedFormat } from '../errors.js'
import { CommandError } from '../imaging/run.js'
import { newKey } from '../keys.js'
import type { Workspace } from '../storage/temp-folder.js'
import type { ImageContext } from './context.js'
import { settleAll } from '../settle.js'

/**
 * Checks the uploaded file at `path` (inside `workspace`), makes its thumbnails and stores all of
 * them in incoming under a new key, which it returns.
 */
export async function uploadImage (context: ImageContext, workspace: Workspace, path: string): Promise<string> {
  const { imaging, stores } = context
  const format = await imaging.detect(path)
  if (format === undefined) throw unsupportedFormat()
  const key = newKey(format)
  try {
    const [thumbnails] = await settleAll([
      imaging.thumbnails({ path, format }, key, workspace.dir),
      context.autoOrientOriginal && format === 'jpg' ? imaging.autoOrient(path) : undefined
    ])
    await settleAll(thumbnails.map(async thumbnail => await stores.incoming.put(thumbnail.key, thumbnail.path)))
  } catch (error) {
    // Our own commands on a file whose header looked right: the rest of it is not a valid image.
    throw error instanceof CommandError ? unsupportedFormat() : error
  }
  // The original goes last: once it is there, the whole image is.
  await stores.incoming.put(key, path)
  return key
}
