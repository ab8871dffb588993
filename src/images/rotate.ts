import { HttpError, unknownImage } from '../errors.js'
import type { Rotation } from '../imaging/orientation.js'
import { formatOf, newKey } from '../keys.js'
import { deleteImages } from './publish.js'
import type { ImageContext } from './context.js'
import { settleAll } from '../settle.js'

/**
 * Rotates an active image clockwise: the new original and its thumbnails are stored under a new
 * key before the old key and its thumbnails are removed. Returns the new key.
 */
export async function rotateImage (context: ImageContext, key: string, rotation: Rotation): Promise<string> {
  const { stores, imaging } = context
  const format = formatOf(key)
  if (format === 'svg') throw new HttpError(400, 'SVG images rotation is not supported.')
  if (!(await stores.active.exists(key))) throw unknownImage()
  const workspace = await stores.temp.workspace()
  try {
    const path = workspace.file(`original.${format}`)
    await stores.active.fetch(key, path)
    await imaging.rotate(path, format, rotation)
    const rotatedKey = newKey(format)
    await context.variants.mark(rotatedKey)
    const thumbnails = await imaging.thumbnails({ path, format }, rotatedKey, workspace.dir)
    await settleAll(thumbnails.map(async thumbnail => await stores.active.put(thumbnail.key, thumbnail.path)))
    await stores.active.put(rotatedKey, path)
    await deleteImages(context, [key])
    await context.variants.startFrom(rotatedKey, thumbnails, format)
    return rotatedKey
  } finally {
    await workspace.remove()
  }
}
