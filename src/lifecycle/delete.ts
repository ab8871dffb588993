import { settleAll } from '../settle.js'
import type { Storage } from '../storage/storage.js'
import type { ServiceParts } from './image-service.js'
import { everyDerived } from './publish.js'

/**
 * Removes images' families, each holding its key: a publish, rotate or variant job on any replica
 * is either finished before, or finds the image gone after. Keys already gone are fine.
 */
export async function deleteImages (parts: ServiceParts, keys: string[]): Promise<void> {
  // A key named twice is removed once: twice would queue behind itself on its own claim.
  await settleAll([...new Set(keys)].map(async key => await parts.locks.with(key, async () => await removeFamily(parts, key))))
}

/** From active, then from incoming too: a publish that comes after a delete finds nothing to publish. */
export async function removeFamily (parts: ServiceParts, key: string): Promise<void> {
  const { active, incoming } = parts.stores
  await removeFrom(active, key, everyDerived(parts, key))
  await removeFrom(incoming, key, everyDerived(parts, key))
}

/** The original first: without it the image is gone for every later call, whatever else is left. */
async function removeFrom (store: Storage, key: string, derived: string[]): Promise<void> {
  await store.delete(key)
  await store.deleteMany(derived)
}
