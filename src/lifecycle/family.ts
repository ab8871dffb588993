import { EXTRA_FORMATS, familyKeys } from '../keys.js'
import type { Storage } from '../storage/storage.js'
import type { Stores } from '../storage/stores.js'

/** What knowing an image's family takes: the stores, and the thumbnail suffixes of RESIZING_CONFIG. */
export interface FamilyParts {
  stores: Pick<Stores, 'incoming' | 'active'>
  suffixes: string[]
}

/** Thumbnails and variants, also those made while another setting was on. */
export function everyDerived ({ suffixes }: FamilyParts, key: string): string[] {
  return familyKeys(key, suffixes, EXTRA_FORMATS)
}

/** From active, then from incoming too: a publish that comes after a removal finds nothing to publish. */
export async function removeFamily (parts: FamilyParts, key: string): Promise<void> {
  const { active, incoming } = parts.stores
  await removeFrom(active, key, everyDerived(parts, key))
  await removeFrom(incoming, key, everyDerived(parts, key))
}

/** The original first: without it the image is gone for every later call, whatever else is left. */
async function removeFrom (store: Storage, key: string, derived: string[]): Promise<void> {
  await store.delete(key)
  await store.deleteMany(derived)
}
