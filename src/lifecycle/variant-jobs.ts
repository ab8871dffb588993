import { rename } from 'node:fs/promises'
import { Busy } from '../errors.js'
import { largest, type Source, type Thumbnail } from '../imaging/thumbnails.js'
import { formatOf, LEGACY_PENDING, PENDING_PREFIX, pendingMarker, thumbnailFormat, thumbnailKey, variantKeys, type Format } from '../keys.js'
import { settleAll } from '../settle.js'
import type { Storage, StoredKey } from '../storage/storage.js'
import type { Workspace } from '../storage/temp-folder.js'
import type { ImageServiceOptions } from './image-service.js'
import { STAMP_SLACK_MS, touch, type Claim, type KeyLocks } from './key-lock.js'
import { removeFamily } from './family.js'
import { moveIfThere } from './move.js'

// No write of one image's file takes an hour: a partial file older than that is a dead process's.
const PARTIAL_AGE_MS = 60 * 60 * 1000

export interface Log {
  info: (message: string) => void
  error: (details: object, message: string) => void
}

/** What the jobs need of the service's options, and its locks on keys. */
export type VariantJobsOptions = Pick<ImageServiceOptions, 'stores' | 'imaging' | 'suffixes' | 'formats' | 'publishDelayMs' | 'leaseMs' | 'log' | 'onVariantFailure' | 'onTakeover' | 'onDeferred' | 'onOwed'> & {
  locks: KeyLocks
  /** Jobs this process holds at most: the rest stay owed through their markers, for a later sweep. */
  backlog: number
}

/** A file a job may make variants from, and the workspace it owns and removes when done. */
interface VariantSource {
  workspace: Workspace
  source: Source
}

/**
 * The WebP/AVIF variants, made in the background. A `pending-<key>` marker in incoming records
 * each image whose variants are owed (or whose family a rotate is writing), before the call that
 * owes them answers, and goes only once they exist or the image does not: whatever a crash cuts
 * off stays on record.
 *
 * Markers are leases. This process writes again the markers of the jobs it holds, waiting or
 * running, every third of the lease; every lease, each replica takes over the markers nobody has
 * written for a lease: those of a replica that died. The files are made outside any lock, then
 * written holding the image's key, where the image is then; if it has no original, what was
 * written of it goes.
 */
export class VariantJobs {
  private readonly jobs = new Map<string, Promise<void>>()
  /** Keys whose markers this process keeps fresh. */
  private readonly held = new Set<string>()
  /** Refreshes of markers under way: a marker is removed only after its refresh, or the refresh would write it back. */
  private readonly refreshing = new Map<string, Promise<void>>()
  /** Jobs waiting for THUMBNAILS_PUBLISH_DELAY, and the periodic refresh and sweep. */
  private readonly delayed = new Set<NodeJS.Timeout>()
  private readonly periodic = new Set<NodeJS.Timeout>()

  constructor (private readonly options: VariantJobsOptions) {}

  get enabled (): boolean {
    return this.options.formats.length > 0
  }

  /** Whether a job runs or waits for its delay in this process. */
  get busy (): boolean {
    return this.jobs.size > 0 || this.delayed.size > 0
  }

  /**
   * Records durably that the variants of `key` are owed, and keeps the record fresh (nothing when
   * off). `whole`: also when off, for a family being written straight into active (a rotate), so
   * that a sweep removes what a crash leaves of it.
   */
  async owe (key: string, whole = false): Promise<void> {
    if (!this.enabled && !whole) return
    this.held.add(key)
    await touch(this.options.stores.incoming, pendingMarker(key))
  }

  /** The variants of `key` are owed no more: the record goes. */
  async settle (key: string): Promise<void> {
    if (!this.enabled && !this.held.has(key)) return
    this.held.delete(key)
    await this.refreshing.get(key)
    await this.options.stores.incoming.delete(pendingMarker(key))
  }

  /**
   * Makes the variants of a new image from the largest of its thumbnails. The file moves into a
   * workspace the job owns, since the request's own is removed when it answers.
   */
  async startFrom (key: string, thumbnails: Thumbnail[], format: Format): Promise<void> {
    if (!this.enabled) return await this.settle(key)
    const source = largest(thumbnails)
    const workspace = await this.options.stores.temp.workspace()
    const path = workspace.file(source.key)
    await rename(source.path, path)
    // Its size is known: the pipeline need not read it again.
    this.run(key, { workspace, source: { path, format, width: source.width, height: source.height } })
  }

  /** After a publish: variants still missing from active are awaited, then made. */
  async afterPublish (key: string): Promise<void> {
    if (!this.enabled) return
    const { active } = this.options.stores
    const present = await settleAll(this.expected(key).map(async variant => await active.exists(variant)))
    if (present.every(Boolean)) return
    await this.owe(key)
    this.later(this.options.publishDelayMs, () => this.run(key))
  }

  /**
   * Takes up owed work now and every lease: markers nobody has refreshed for a lease. Also with
   * variants off: a rotate's marker says its family is whole, or is to be removed.
   */
  startBackground (): void {
    const refresh = (): void => {
      for (const key of this.held) {
        const refreshed = touch(this.options.stores.incoming, pendingMarker(key)).catch(() => {})
        this.refreshing.set(key, refreshed)
        void refreshed.then(() => { if (this.refreshing.get(key) === refreshed) this.refreshing.delete(key) })
      }
    }
    const sweep = (): void => {
      this.sweep().catch(error => this.options.log?.error({ err: error }, 'could not look for owed variants'))
    }
    this.every(this.options.leaseMs / 3, refresh)
    this.every(this.options.leaseMs, sweep)
    this.takeUpLegacyMarkers().then(sweep, error => this.options.log?.error({ err: error }, 'could not look for owed variants'))
  }

  /** Markers named as before (`<key>.pending`) are named anew, once, by a full listing at start. */
  private async takeUpLegacyMarkers (): Promise<void> {
    const { incoming } = this.options.stores
    for await (const page of incoming.list()) {
      for (const { key } of page.filter(each => each.key.endsWith(LEGACY_PENDING))) {
        await touch(incoming, pendingMarker(key.slice(0, -LEGACY_PENDING.length)))
        await incoming.delete(key)
      }
    }
  }

  /** Stops what waits, then waits for running jobs, at most `timeoutMs`; true when none was cut off. */
  async drain (timeoutMs: number): Promise<boolean> {
    for (const timer of [...this.delayed, ...this.periodic]) clearTimeout(timer)
    this.delayed.clear()
    this.periodic.clear()
    let timedOut = false
    let limit: NodeJS.Timeout | undefined
    const deadline = new Promise<void>(resolve => { limit = setTimeout(resolve, timeoutMs) }).then(() => { timedOut = true })
    // Requests still finishing may start jobs while we wait: look again until none is left.
    while (this.jobs.size > 0 && !timedOut) await Promise.race([Promise.allSettled(this.jobs.values()), deadline])
    clearTimeout(limit)
    return this.jobs.size === 0
  }

  private expected (key: string): string[] {
    return variantKeys(key, this.options.suffixes, this.options.formats)
  }

  private async sweep (): Promise<void> {
    const staleBefore = this.staleBefore()
    const markers: StoredKey[] = []
    const { incoming, active } = this.options.stores
    for await (const page of incoming.list(PENDING_PREFIX)) markers.push(...page)
    this.options.onOwed?.(markers.length)
    // A partial file (local folders) that old was left by a process that died while writing it.
    const partialsBefore = new Date(Date.now() - PARTIAL_AGE_MS)
    await settleAll([incoming, active].map(async store => await store.removePartials(partialsBefore)))
    const stale = markers.filter(marker => marker.modified < staleBefore).map(marker => marker.key.slice(PENDING_PREFIX.length))
    let count = 0
    for (const key of stale.filter(each => !this.held.has(each))) {
      if (this.full(key)) break
      if (!(await this.takeOver(key))) continue
      this.run(key)
      count++
    }
    if (count === 0) return
    this.options.onTakeover?.(count)
    this.options.log?.info(`taking up the variants owed for ${count} images`)
  }

  /**
   * Makes a stale marker this process's, holding the key: two replicas sweeping at once do not
   * both take it, since the second finds it written again by the first. False when it is not stale
   * any more, or the key is busy (the next sweep looks again).
   */
  private async takeOver (key: string): Promise<boolean> {
    const { incoming } = this.options.stores
    return await this.options.locks.with(key, async () => {
      const [marker] = await incoming.listPrefix(pendingMarker(key))
      if (marker === undefined || marker.modified > this.staleBefore()) return false
      await this.owe(key, true)
      return true
    }).catch(error => {
      if (error instanceof Busy) return false
      throw error
    })
  }

  /**
   * Markers written before this are stale. By this process's clock: one that is off takes over a
   * live job early, which only repeats work (a job writes only what is missing, holding the key).
   */
  private staleBefore (): Date {
    return new Date(Date.now() - this.options.leaseMs - STAMP_SLACK_MS)
  }

  /** Whether a job for `key` would pass the backlog: a key that already has one only queues behind it. */
  private full (key: string): boolean {
    return this.jobs.size >= this.options.backlog && !this.jobs.has(key)
  }

  /** Not kept fresh from now on: a lease later, a sweep here or on another replica takes the marker up. */
  private leaveForLater (key: string): void {
    this.held.delete(key)
  }

  /** One job a key at a time in this process: a second waits for the first, then finds less to do. */
  private run (key: string, from?: VariantSource): void {
    if (this.full(key)) {
      this.leaveForLater(key)
      this.options.onDeferred?.()
      from?.workspace.remove().catch(() => {})
      return
    }
    const job = (this.jobs.get(key) ?? Promise.resolve()).then(async () => {
      try {
        await this.make(key, from?.source)
      } finally {
        await from?.workspace.remove()
      }
    }).catch(error => {
      this.leaveForLater(key)
      this.options.onVariantFailure?.()
      this.options.log?.error({ err: error, key }, 'making variants failed; the marker stays for a later sweep')
    })
    this.jobs.set(key, job)
    void job.finally(() => {
      if (this.jobs.get(key) === job) this.jobs.delete(key)
    })
  }

  private async make (key: string, given?: Source): Promise<void> {
    const home = await this.locate(key)
    const missing = home === undefined ? [] : await this.missing(key, home)
    const workspace = missing.length > 0 ? await this.options.stores.temp.workspace() : undefined
    try {
      let made: Thumbnail[] = []
      if (home !== undefined && workspace !== undefined) {
        const source = given ?? await this.source(key, home, workspace)
        const formats = this.options.formats.filter(format => missing.some(variant => variant.endsWith(`.${format}`)))
        made = (await this.options.imaging.thumbnails(source, key, workspace.dir, formats)).filter(variant => missing.includes(variant.key))
      }
      await this.options.locks.with(key, async claim => await this.write(key, made, claim))
    } finally {
      await workspace?.remove()
    }
  }

  /**
   * Holding the key: the variants go where the image is now. Where it is not (deleted meanwhile,
   * or its upload or rotate died before its original was written), what was made of it goes.
   */
  private async write (key: string, made: Thumbnail[], claim: Claim): Promise<void> {
    const { incoming, active } = this.options.stores
    const home = await this.locate(key)
    if (home === active) {
      // Made in incoming before a publish moved the rest: they follow it.
      await settleAll(this.expected(key).map(async variant => await moveIfThere(variant, incoming, active, claim)))
    }
    if (home === undefined) {
      await removeFamily(this.options, key)
    } else {
      await settleAll(made.map(async variant => {
        if (await home.exists(variant.key)) return
        claim.check()
        await home.put(variant.key, variant.path)
      }))
    }
    await this.settle(key)
  }

  private async locate (key: string): Promise<Storage | undefined> {
    const { incoming, active } = this.options.stores
    return await active.exists(key) ? active : await incoming.exists(key) ? incoming : undefined
  }

  /** The variants `home` lacks; in active, those still in incoming count as there (they follow). */
  private async missing (key: string, home: Storage): Promise<string[]> {
    const { incoming, active } = this.options.stores
    const present = await settleAll(this.expected(key).map(async variant =>
      await home.exists(variant) || (home === active && await incoming.exists(variant))))
    return this.expected(key).filter((_variant, i) => !present[i])
  }

  /** The largest thumbnail the image has in `home`, else its original. */
  private async source (key: string, home: Storage, workspace: Workspace): Promise<Source> {
    const format = thumbnailFormat(formatOf(key))
    const thumbnails = await settleAll(this.options.suffixes.map(async suffix => {
      const path = workspace.file(`source-${suffix}.${format}`)
      const fetched = await home.fetch(thumbnailKey(key, suffix), path).then(() => true, () => false)
      const size = fetched ? await this.options.imaging.detect(path) : undefined
      return size?.width === undefined || size.height === undefined ? [] : [{ key: suffix, path, width: size.width, height: size.height }]
    }))
    const found = thumbnails.flat()
    if (found.length > 0) {
      const { path, width, height } = largest(found)
      return { path, format, width, height }
    }
    const path = workspace.file(`original.${formatOf(key)}`)
    await home.fetch(key, path)
    return { path, format: formatOf(key) }
  }

  private later (ms: number, task: () => void): void {
    const timer = setTimeout(() => {
      this.delayed.delete(timer)
      task()
    }, ms)
    // The marker survives a restart; the timer need not keep the process up.
    timer.unref()
    this.delayed.add(timer)
  }

  private every (ms: number, task: () => void): void {
    const timer = setInterval(task, ms)
    timer.unref()
    this.periodic.add(timer)
  }
}
