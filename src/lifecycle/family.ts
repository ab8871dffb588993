import { EXTRA_FORMATS } from '../formats.js'
import { familyKeys } from '../keys.js'
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

/**
 * Which of the family of `key` (itself, its thumbnails and variants) `store` holds: one listing of
 * its stem, whatever the family's size. An older key with fewer digits shares its stem's start with
 * others (`…_88291045` and `…_882910455`): only the family's own names count.
 */
export async function familyIn (parts: FamilyParts, store: Storage, key: string): Promise<Set<string>> {
  const family = new Set([key, ...everyDerived(parts, key)])
  const listed = await store.listPrefix(key.slice(0, key.lastIndexOf('.')))
  return new Set(listed.map(each => each.key).filter(name => family.has(name)))
}

/**
 * From active (the original first: without it the image is gone for every later call, whatever
 * else is left), then from incoming in one request: a publish that comes after finds nothing.
 */
export async function removeFamily (parts: FamilyParts, key: string): Promise<void> {
  const { active, incoming } = parts.stores
  await active.delete(key)
  await active.deleteMany(everyDerived(parts, key))
  await incoming.deleteMany([key, ...everyDerived(parts, key)])
}
