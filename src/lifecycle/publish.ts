import { ImageRefused, UnknownImage } from '../errors.js'
import { isOriginal } from '../keys.js'
import type { ServiceParts } from './parts.js'
import { everyDerived, familyIn, removeFamily } from './family.js'

/**
 * Moves an image's family from incoming to active, holding its key, so that no delete or other
 * publish on any replica sees it half-moved. Repeating it is harmless, and it finishes a publish
 * that stopped half-way. Variants still being made follow when they are ready.
 */
export async function publishImage (parts: ServiceParts, key: string): Promise<void> {
  if (!isOriginal(key)) throw new ImageRefused('Only an original image can be published.')
  const { incoming, active } = parts.stores
  const inActive = await parts.locks.with(key, async claim => {
    const inIncoming = await familyIn(parts, incoming, key)
    // Published before: its family in active tells the variant jobs what is there.
    const before = inIncoming.has(key) ? new Set<string>() : await familyIn(parts, active, key)
    if (!inIncoming.has(key) && !before.has(key)) throw new UnknownImage(key)
    // The original last, and out of incoming only once all of it is in active: while it is still
    // in incoming, the publish is not finished, and a repeat finishes it.
    const moving = [...everyDerived(parts, key), key].filter(name => inIncoming.has(name))
    const moved = await incoming.moveAll(moving, active, () => claim.check())
    // Removed meanwhile by something that holds no claim (an S3 lifecycle rule): what came is taken back.
    if (inIncoming.has(key) && !moved.includes(key)) {
      await removeFamily(parts, key)
      throw new UnknownImage(key)
    }
    return new Set([...before, ...moved])
  })
  await parts.variants.afterPublish(key, inActive)
}
