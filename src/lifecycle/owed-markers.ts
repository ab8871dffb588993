import { pendingMarker } from '../keys.js'
import type { Storage } from '../storage/storage.js'
import { touch } from './key-lock.js'

/**
 * The `pending-<key>` markers this process holds in incoming: each says that work on its image is
 * owed, outlives a crash, and is written again on every `refresh` (each third of a lease) while
 * held, so that other replicas leave it alone. One not refreshed for a lease is anyone's to take.
 */
export class OwedMarkers {
  private readonly held = new Set<string>()
  /** Refreshes under way: a marker is removed only after its refresh, or the refresh would write it back. */
  private readonly refreshing = new Map<string, Promise<void>>()

  constructor (private readonly incoming: Storage) {}

  holds (key: string): boolean {
    return this.held.has(key)
  }

  /** Writes the marker of `key` (again) and keeps it fresh from now on. */
  async hold (key: string): Promise<void> {
    this.held.add(key)
    await touch(this.incoming, pendingMarker(key))
  }

  /** The work is done: the marker goes, once a refresh under way has ended. */
  async remove (key: string): Promise<void> {
    this.held.delete(key)
    await this.refreshing.get(key)
    await this.incoming.delete(pendingMarker(key))
  }

  /** Not kept fresh from now on: a lease later, a sweep here or on another replica takes it up. */
  letGo (key: string): void {
    this.held.delete(key)
  }

  /** Writes every held marker again; a failed write is tried again at the next refresh. */
  refresh (): Promise<void> {
    const all = [...this.held].map(key => {
      const refreshed = touch(this.incoming, pendingMarker(key)).catch(() => {})
      this.refreshing.set(key, refreshed)
      return refreshed.then(() => { if (this.refreshing.get(key) === refreshed) this.refreshing.delete(key) })
    })
    return Promise.all(all).then(() => {})
  }
}
