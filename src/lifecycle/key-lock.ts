import { randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { systemClock, type Clock } from './clock.js'
import { Busy } from '../errors.js'
import { CLAIM } from '../keys.js'
import type { Storage, StoredKey } from '../storage/storage.js'

export interface KeyLockOptions {
  /** The store every replica shares, where claims are written: incoming. */
  store: Storage
  /** A claim not refreshed for this long was left by a replica that died, and is removed. */
  leaseMs: number
  /** How long a call may wait for a key before it answers Busy (0: not at all). */
  waitMs: number
  clock?: Clock
}

/**
 * A held key. `check()` comes right before each write that makes something public: it throws
 * Busy once this process cannot be sure the claim is still its own (fencing), so a process that
 * stalled past its lease, and whose claim another replica may since have taken, writes nothing.
 */
export interface Claim {
  check: () => void
}

// Calls on one key waiting in one process, past which more are told to come back later.
const MAX_WAITING = 32
/** Added to a lease before a record counts as abandoned: S3 keeps times in whole seconds. */
export const STAMP_SLACK_MS = 1000

/** Writes an empty object under `key`, or writes it again: its age starts over. */
export async function touch (store: Storage, key: string): Promise<void> {
  await store.putStream(key, Readable.from([]), 0)
}

/**
 * One call at a time on an image key, across every replica on the same stores.
 *
 * In one process, calls on a key run in the order they came. Across processes, a call claims the
 * key by writing `<key>.lock.<random>` to the shared store, then listing `<key>.lock.`: it holds
 * the key when it sees no other live claim; otherwise it takes its claim back and tries again
 * later. Two claimants cannot both hold it: each writes before it lists, and S3 (like a folder)
 * shows a listing every write finished before it, so the one that listed second sees the first.
 * A holder refreshes its claim every third of the lease; a claim older than the lease, by the
 * store's clock (replicas' own clocks may differ), belongs to a replica that died and is removed.
 */
export class KeyLocks {
  private readonly queues = new Map<string, { tail: Promise<void>, waiting: number }>()

  private readonly clock: Clock

  constructor (private readonly options: KeyLockOptions) {
    this.clock = options.clock ?? systemClock
  }

  /** Runs `task` holding `key`; Busy when it waited `waitMs` (the locks' own by default) for it. */
  async with<T> (key: string, task: (claim: Claim) => Promise<T>, waitMs = this.options.waitMs): Promise<T> {
    const queue = this.queues.get(key) ?? { tail: Promise.resolve(), waiting: 0 }
    if (queue.waiting >= MAX_WAITING) throw new Busy('Too many calls on this image at once. Try again shortly.', 1, 'key_busy')
    let finished = (): void => {}
    const previous = queue.tail
    queue.tail = new Promise(resolve => { finished = resolve })
    queue.waiting++
    this.queues.set(key, queue)
    try {
      await previous
      const held = await this.claim(key, waitMs)
      try {
        return await task(held)
      } finally {
        await held.release()
      }
    } finally {
      finished()
      if (--queue.waiting === 0) this.queues.delete(key)
    }
  }

  private async claim (key: string, waitMs: number): Promise<Claim & { release: () => Promise<void> }> {
    const { store, leaseMs } = this.options
    const prefix = `${key}${CLAIM}`
    const deadline = this.clock.now() + waitMs
    for (let attempt = 0; ; attempt++) {
      const claim = `${prefix}${randomBytes(6).toString('hex')}`
      const written = this.clock.now()
      await touch(store, claim)
      const claims = await store.listPrefix(prefix)
      const mine = claims.find(each => each.key === claim)
      const others = claims.filter(each => each.key !== claim)
      // Others are abandoned when older than a lease by the store's clock: our own claim was
      // written just now. A listing without it (a store that is not consistent) holds nothing.
      const abandoned = (other: StoredKey, mine: StoredKey): boolean => mine.modified.getTime() - other.modified.getTime() > leaseMs + STAMP_SLACK_MS
      if (mine !== undefined && others.every(other => abandoned(other, mine))) {
        await Promise.all(others.map(async each => await store.delete(each.key)))
        return this.hold(claim, written)
      }
      await store.delete(claim)
      if (this.clock.now() >= deadline) throw new Busy('This image is busy. Try again shortly.', 1, 'key_busy')
      // A random wait, longer each time, so that two claimants do not keep meeting.
      await this.clock.sleep(Math.random() * 25 * 2 ** Math.min(attempt, 5))
    }
  }

  /**
   * Keeps a claim written since `written` fresh, every third of the lease. It is ours while its
   * last write began less than a lease ago by our clock: others wait a lease and a second by the
   * store's. Once a lease passes without one (a stalled process, a store that failed), it is lost
   * for good: a late refresh must not write back a claim another replica has taken since.
   */
  private hold (claim: string, written: number): Claim & { release: () => Promise<void> } {
    const { store, leaseMs } = this.options
    let confirmed = written
    let lost = false
    // A refresh under way when the claim is released would write it back after its removal.
    let refreshing = Promise.resolve()
    const lapsed = (): boolean => {
      lost ||= this.clock.now() - confirmed >= leaseMs
      return lost
    }
    const stop = this.clock.every(leaseMs / 3, () => {
      if (lapsed()) return
      const started = this.clock.now()
      refreshing = touch(store, claim).then(() => { confirmed = Math.max(confirmed, started) }, () => {})
      return refreshing
    })
    return {
      check: () => {
        if (lapsed()) throw new Busy('This image was held too long. Try again shortly.', 1, 'key_busy')
      },
      release: async () => {
        stop()
        await refreshing
        await store.delete(claim)
      }
    }
  }
}
