import { unknownImage } from '../errors.js'
import { variantKeys } from '../keys.js'
import { MissingKeyError, type Storage } from '../storage/storage.js'
import type { ImageContext } from './context.js'
import { settleAll } from '../settle.js'

/**
 * Moves an image and its thumbnails from incoming to active. Repeating it is harmless, and it
 * finishes a publish that stopped half-way (original moved, thumbnails left behind).
 */
export async function publishImage ({ stores, suffixes }: ImageContext, key: string): Promise<void> {
  const { incoming, active } = stores
  const originalIncoming = await incoming.exists(key)
  if (!originalIncoming && !(await active.exists(key))) throw unknownImage()
  await settleAll(variantKeys(key, suffixes).map(async variant => await moveIfThere(variant, incoming, active)))
  // The original last: while it is still in incoming, the publish is not finished.
  if (originalIncoming) await moveIfThere(key, incoming, active)
}

/** Removes images and their thumbnails from active; keys already gone are fine. */
export async function deleteImages ({ stores, suffixes }: ImageContext, keys: string[]): Promise<void> {
  const everyKey = keys.flatMap(key => [key, ...variantKeys(key, suffixes)])
  await settleAll(everyKey.map(async key => await stores.active.delete(key)))
}

async function moveIfThere (key: string, from: Storage, to: Storage): Promise<void> {
  if (!(await from.exists(key))) return
  // A concurrent publish of the same image may have moved it between the check and the move.
  await from.move(key, to).catch(error => {
    if (!(error instanceof MissingKeyError)) throw error
  })
}
