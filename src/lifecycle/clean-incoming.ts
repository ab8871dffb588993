import { Busy } from '../errors.js'
import { ownerOf } from '../keys.js'
import { settleAll } from '../settle.js'
import type { Storage } from '../storage/storage.js'
import type { KeyLocks } from './key-lock.js'

export interface CleanOptions {
  incoming: Storage
  /** Claims on keys, waiting for none: an image a call holds is skipped, and cleaned next time. */
  locks: KeyLocks
  cutoff: Date
  dryRun: boolean
  stop?: AbortSignal
}

// Images cleaned at once: each costs a few requests (its claim, then its files).
const IN_FLIGHT = 16

/**
 * Removes (or, dry, only lists) every key of incoming written before `cutoff`, a page at a time
 * until `stop`. Each image's files go holding its key, so a publish under way is never cut in
 * half: it finishes first, or finds the image gone. Returns what went and how many images were busy.
 */
export async function cleanIncoming ({ incoming, locks, cutoff, dryRun, stop }: CleanOptions): Promise<{ removed: string[], busy: number }> {
  const result = { removed: [] as string[], busy: 0 }
  const clean = async (keys: string[]): Promise<void> => {
    if (dryRun) {
      result.removed.push(...keys)
      return
    }
    const groups = [...byImage(keys).values()]
    for (let start = 0; start < groups.length; start += IN_FLIGHT) {
      await settleAll(groups.slice(start, start + IN_FLIGHT).map(async group => {
        if (await removeGroup(incoming, locks, group)) result.removed.push(...group)
        else result.busy++
      }))
    }
  }
  // Listings come in byte order, so one image's files are together; the last image of a page may go on in the next.
  let carried: string[] = []
  for await (const page of incoming.listOlderThan(cutoff)) {
    if (stop?.aborted === true) return result
    const keys = [...carried, ...page]
    const last = ownerOf(keys[keys.length - 1] ?? '')?.stem
    carried = last === undefined ? [] : keys.filter(key => ownerOf(key)?.stem === last)
    await clean(keys.filter(key => !carried.includes(key)))
  }
  if (stop?.aborted !== true) await clean(carried)
  return result
}

/** The keys by the image they belong to (its stem); names of no image each on their own. */
function byImage (keys: string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>()
  for (const key of keys) {
    const stem = ownerOf(key)?.stem ?? key
    const group = groups.get(stem) ?? []
    group.push(key)
    groups.set(stem, group)
  }
  return groups
}

/**
 * One image's files, holding its key when they name it (its original, marker or a claim); false
 * when it is busy. Thumbnails alone, whose original is gone, are left over by a dead upload: no
 * call can reach them.
 */
async function removeGroup (incoming: Storage, locks: KeyLocks, group: string[]): Promise<boolean> {
  const key = group.map(each => ownerOf(each)?.key).find(found => found !== undefined)
  if (key === undefined) {
    await incoming.deleteMany(group)
    return true
  }
  return await locks.with(key, async () => await incoming.deleteMany(group)).then(() => true, error => {
    if (error instanceof Busy) return false
    throw error
  })
}
