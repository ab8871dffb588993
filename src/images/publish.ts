import { unknownImage } from '../errors.js'
import { EXTRA_FORMATS, variantKeys } from '../keys.js'
import { settleAll } from '../settle.js'
import type { ImageContext } from './context.js'
import { moveIfThere } from './move.js'

/**
 * Moves an image and its thumbnails from incoming to active. Repeating it is harmless, and it
 * finishes a publish that stopped half-way (original moved, thumbnails left behind). Variants
 * still being made follow when they are ready.
 */
export async function publishImage (context: ImageContext, key: string): Promise<void> {
  const { incoming, active } = context.stores
  const originalIncoming = await incoming.exists(key)
  if (!originalIncoming && !(await active.exists(key))) throw unknownImage()
  await settleAll(allVariantKeys(context, key).map(async variant => await moveIfThere(variant, incoming, active)))
  // The original last: while it is still in incoming, the publish is not finished.
  if (originalIncoming) await moveIfThere(key, incoming, active)
  await context.variants.afterPublish(key)
}

/** Removes images and all their thumbnails from active; keys already gone are fine. */
export async function deleteImages (context: ImageContext, keys: string[]): Promise<void> {
  const everyKey = keys.flatMap(key => [key, ...allVariantKeys(context, key)])
  await settleAll(everyKey.map(async key => await context.stores.active.delete(key)))
}

/** Base thumbnails and WebP/AVIF ones, also those made while another setting was on. */
function allVariantKeys ({ suffixes }: ImageContext, key: string): string[] {
  return variantKeys(key, suffixes, EXTRA_FORMATS)
}
