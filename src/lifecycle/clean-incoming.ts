import type { Storage } from '../storage/storage.js'

/** Removes (or, dry, only lists) every key of `incoming` written before `cutoff`; returns them. */
export async function cleanIncoming (incoming: Storage, cutoff: Date, dryRun: boolean): Promise<string[]> {
  const removed: string[] = []
  for await (const page of incoming.listOlderThan(cutoff)) {
    if (!dryRun) await incoming.deleteMany(page)
    removed.push(...page)
  }
  return removed
}
