import { ImageRefused } from '../errors.js'
import type { Rotation } from '../imaging/orientation.js'
import type { Thumbnail } from '../imaging/thumbnails.js'
import { formatOf, isOriginal, newKey } from '../keys.js'
import { settleAll } from '../settle.js'
import { removeFamily } from './family.js'
import { withTicket } from './admit.js'
import { fetchOriginal } from './fetch-original.js'
import type { ServiceParts } from './parts.js'

/**
 * Turns an active image clockwise, holding its key: the new original and its thumbnails are stored
 * under a new key before the old key's family is removed. A second rotate or a delete of the same
 * key, on any replica, comes after and finds it gone (404): one new key, never two. Returns it.
 */
export async function rotateImage (parts: ServiceParts, key: string, rotation: Rotation): Promise<string> {
  if (!isOriginal(key)) throw new ImageRefused('Only an original image can be rotated.')
  const format = formatOf(key)
  if (format === 'svg') throw new ImageRefused('SVG images rotation is not supported.')
  const { stores, variants } = parts
  // The key first, then the work: calls on it are taken in the order they came.
  return await parts.locks.with(key, async claim => await withTicket(parts.admission, async ticket => {
    const imaging = parts.imaging.in(ticket)
    const workspace = await stores.temp.workspace()
    try {
      const path = workspace.file(`original.${format}`)
      await fetchOriginal(stores.active, key, path)
      await imaging.rotate(path, format, rotation)
      const rotatedKey = newKey(format)
      // On record before anything of it is public: if this process dies part-way, a sweep a lease
      // later finds no original under the new key and removes the rest.
      await variants.owe(rotatedKey, true)
      let thumbnails: Thumbnail[]
      try {
        thumbnails = await imaging.thumbnails({ path, format }, rotatedKey, workspace.dir)
        await settleAll(thumbnails.map(async thumbnail => {
          claim.check()
          await stores.active.put(thumbnail.key, thumbnail.path)
        }))
        claim.check()
        await stores.active.put(rotatedKey, path)
      } catch (error) {
        // The old key stays as it was; nothing of the new one does.
        await removeFamily(parts, rotatedKey).catch(() => {})
        await variants.settle(rotatedKey).catch(() => {})
        throw error
      }
      await removeFamily(parts, key)
      await variants.startFrom(rotatedKey, thumbnails, format)
      return rotatedKey
    } finally {
      await workspace.remove()
    }
  }))
}
