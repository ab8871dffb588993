import { settleAll } from '../settle.js'
import type { ServiceParts } from './parts.js'
import { removeFamily } from './family.js'

/**
 * Removes images' families, each holding its key: a publish, rotate or variant job on any replica
 * is either finished before, or finds the image gone after. Keys already gone are fine.
 */
export async function deleteImages (parts: ServiceParts, keys: string[]): Promise<void> {
  // A key named twice is removed once: twice would queue behind itself on its own claim.
  await settleAll([...new Set(keys)].map(async key => await parts.locks.with(key, async () => await removeFamily(parts, key))))
}
