import type { Storage } from '../storage/storage.js'

/** Removes (or, dry, only lists) every key of `incoming` written before `cutoff`, a page at a time until `stop`; returns them. */
export async function cleanIncoming (incoming: Storage, cutoff: Date, dryRun: boolean, stop?: AbortSignal): Promise<string[]> {
  const removed: string[] = []
  for await (const page of incoming.listOlderThan(cutoff)) {
    if (stop?.aborted === true) break
    if (!dryRun) await incoming.deleteMany(page)
    removed.push(...page)
  }
  return removed
}
