import { ImageRefused, UnknownImage } from '../errors.js'
import { isOriginal } from '../keys.js'
import { settleAll } from '../settle.js'
import type { ServiceParts } from './image-service.js'
import { everyDerived, removeFamily } from './family.js'
import { moveIfThere } from './move.js'

/**
 * Moves an image's family from incoming to active, holding its key, so that no delete or other
 * publish on any replica sees it half-moved. Repeating it is harmless, and it finishes a publish
 * that stopped half-way. Variants still being made follow when they are ready.
 */
export async function publishImage (parts: ServiceParts, key: string): Promise<void> {
  if (!isOriginal(key)) throw new ImageRefused('Only an original image can be published.')
  const { incoming, active } = parts.stores
  await parts.locks.with(key, async claim => {
    const inIncoming = await incoming.exists(key)
    if (!inIncoming && !(await active.exists(key))) throw new UnknownImage(key)
    await settleAll(everyDerived(parts, key).map(async derived => await moveIfThere(derived, incoming, active, claim)))
    // The original last: while it is still in incoming, the publish is not finished.
    const moved = inIncoming && await moveIfThere(key, incoming, active, claim)
    // Removed meanwhile by something that holds no claim (an S3 lifecycle rule): what came is taken back.
    if (!moved && !(await active.exists(key))) {
      await removeFamily(parts, key)
      throw new UnknownImage(key)
    }
  })
  await parts.variants.afterPublish(key)
}
