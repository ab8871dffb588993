import { rename } from 'node:fs/promises'
import { systemClock, type Clock } from './clock.js'
import { Busy } from '../errors.js'
import type { Imaging } from '../imaging/imaging.js'
import { BACKGROUND, FOLLOWING } from '../imaging/queue.js'
import type { Source } from '../imaging/source.js'
import { largest, type Thumbnail } from '../imaging/thumbnails.js'
import type { ExtraFormat, Format } from '../formats.js'
import { formatOf, LEGACY_PENDING, PENDING_PREFIX, pendingMarker, thumbnailFormat, thumbnailKey, variantKeys } from '../keys.js'
import { settleAll } from '../settle.js'
import type { Storage, StoredKey } from '../storage/storage.js'
import type { Stores } from '../storage/stores.js'
import type { Workspace } from '../storage/temp-folder.js'
import { familyIn, removeFamily } from './family.js'
import { STAMP_SLACK_MS, touch, type Claim, type KeyLocks } from './key-lock.js'
import { OwedMarkers } from './owed-markers.js'

// No write of one image's file takes an hour: a partial file older than that is a dead process's.
const PARTIAL_AGE_MS = 60 * 60 * 1000

export interface Log {
  info: (message: string) => void
  error: (details: object, message: string) => void
}

export interface VariantJobsOptions {
  stores: Stores
  imaging: Imaging
  /** The thumbnail suffixes of RESIZING_CONFIG. */
  suffixes: string[]
  /** The variant formats to make; empty turns variants off. */
  formats: ExtraFormat[]
  /** How long a publish waits for variants still being made before making them again. */
  thumbnailsPublishDelayMs: number
  /** How long a claim on a key or an owed-work marker stays its holder's without a refresh. */
  leaseMs: number
  /** The locks on image keys every job writes under. */
  locks: KeyLocks
  /** Jobs this process holds at most: the rest stay owed through their markers, for a later sweep. */
  backlog: number
  /** The system's; a fake one in tests. */
  clock?: Clock
  /** What background jobs report; an operator command that runs none leaves them out. */
  log?: Log
  /** Told as things happen; the metrics plugin listens. */
  events?: VariantJobEvents
}

/** What the variant jobs tell an observer, each when it happens. */
export interface VariantJobEvents {
  /** A job that failed: its marker stays, and a later sweep tries again. */
  failed?: () => void
  /** Markers nobody refreshed for a lease, taken over by a sweep: work a stopped replica left. */
  takenOver?: (count: number) => void
  /** A job left to its marker because IMAGING_QUEUE_LIMIT jobs were held already: a later sweep makes it. */
  deferred?: () => void
  /** The markers in incoming (all replicas' owed work), counted at each sweep. */
  owed?: (count: number) => void
}

/** Where an image is now, and which of its family each store holds. */
interface Whereabouts {
  home?: Storage
  inActive: Set<string>
  inIncoming: Set<string>
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
  private readonly markers: OwedMarkers
  private readonly clock: Clock
  /** A new upload's own job runs its commands as FOLLOWING work; every other job as BACKGROUND. */
  private readonly following: Imaging
  private readonly background: Imaging
  /** Cancels each job waiting for THUMBNAILS_PUBLISH_DELAY, and the periodic refresh and sweep. */
  private readonly timers = new Set<() => void>()
  private delayed = 0

  constructor (private readonly options: VariantJobsOptions) {
    this.markers = new OwedMarkers(options.stores.incoming)
    this.clock = options.clock ?? systemClock
    this.following = options.imaging.in(FOLLOWING)
    this.background = options.imaging.in(BACKGROUND)
  }

  get enabled (): boolean {
    return this.options.formats.length > 0
  }

  /** Whether a job runs or waits for its delay in this process. */
  get busy (): boolean {
    return this.jobs.size > 0 || this.delayed > 0
  }

  /**
   * Records durably that the variants of `key` are owed, and keeps the record fresh (nothing when
   * off). `whole`: also when off, for a family being written straight into active (a rotate), so
   * that a sweep removes what a crash leaves of it.
   */
  async owe (key: string, whole = false): Promise<void> {
    if (!this.enabled && !whole) return
    await this.markers.hold(key)
  }

  /** The variants of `key` are owed no more: the record goes. */
  async settle (key: string): Promise<void> {
    if (!this.enabled && !this.markers.holds(key)) return
    await this.markers.remove(key)
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

  /** After a publish that left `inActive` of the family in active: variants missing there are awaited, then made. */
  async afterPublish (key: string, inActive: Set<string>): Promise<void> {
    if (!this.enabled || this.expected(key).every(variant => inActive.has(variant))) return
    await this.owe(key)
    this.later(this.options.thumbnailsPublishDelayMs, () => this.run(key))
  }

  /**
   * Takes up owed work now and every lease: markers nobody has refreshed for a lease. Also with
   * variants off: a rotate's marker says its family is whole, or is to be removed. Resolves once
   * the first sweep is done; it reports its own errors.
   */
  async startBackground (): Promise<void> {
    const sweep = async (): Promise<void> => {
      await this.sweep().catch(error => this.options.log?.error({ err: error }, 'could not look for owed variants'))
    }
    this.timers.add(this.clock.every(this.options.leaseMs / 3, async () => await this.markers.refresh()))
    this.timers.add(this.clock.every(this.options.leaseMs, sweep))
    await this.takeUpLegacyMarkers().then(sweep, error => this.options.log?.error({ err: error }, 'could not look for owed variants'))
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
    for (const cancel of this.timers) cancel()
    this.timers.clear()
    this.delayed = 0
    let stopLimit = (): void => {}
    const deadline = new Promise<'late'>(resolve => { stopLimit = this.clock.after(timeoutMs, () => resolve('late')) })
    // Requests still finishing may start jobs while we wait: look again until none is left.
    while (this.jobs.size > 0) {
      if (await Promise.race([Promise.allSettled(this.jobs.values()), deadline]) === 'late') break
    }
    stopLimit()
    return this.jobs.size === 0
  }

  private expected (key: string): string[] {
    return variantKeys(key, this.options.suffixes, this.options.formats)
  }

  /** One listing of the markers, whatever else incoming holds: quiet, it costs one request. */
  private async sweep (): Promise<void> {
    const staleBefore = this.staleBefore()
    const markers: StoredKey[] = []
    const { incoming, active } = this.options.stores
    for await (const page of incoming.list(PENDING_PREFIX)) markers.push(...page)
    this.options.events?.owed?.(markers.length)
    // A partial file (local folders) that old was left by a process that died while writing it.
    const partialsBefore = new Date(this.clock.now() - PARTIAL_AGE_MS)
    await settleAll([incoming, active].map(async store => await store.removePartials(partialsBefore)))
    const stale = markers.filter(marker => marker.modified < staleBefore).map(marker => marker.key.slice(PENDING_PREFIX.length))
    let count = 0
    for (const key of stale.filter(each => !this.markers.holds(each))) {
      if (this.full(key)) break
      if (!(await this.takeOver(key))) continue
      this.run(key)
      count++
    }
    if (count === 0) return
    this.options.events?.takenOver?.(count)
    this.options.log?.info(`taking up the variants owed for ${count} images`)
  }

  /**
   * Makes a stale marker this process's, holding the key: two replicas sweeping at once do not
   * both take it, since the second finds it written again by the first. False when it is not stale
   * any more, or the key is busy: the sweep does not wait, the next one looks again.
   */
  private async takeOver (key: string): Promise<boolean> {
    const { incoming } = this.options.stores
    return await this.options.locks.with(key, async () => {
      const [marker] = await incoming.listPrefix(pendingMarker(key))
      if (marker === undefined || marker.modified > this.staleBefore()) return false
      await this.owe(key, true)
      return true
    }, 0).catch(error => {
      if (error instanceof Busy) return false
      throw error
    })
  }

  /**
   * Markers written before this are stale. By this process's clock: one that is off takes over a
   * live job early, which only repeats work (a job writes only what is missing, holding the key).
   */
  private staleBefore (): Date {
    return new Date(this.clock.now() - this.options.leaseMs - STAMP_SLACK_MS)
  }

  /** Whether a job for `key` would pass the backlog: a key that already has one only queues behind it. */
  private full (key: string): boolean {
    return this.jobs.size >= this.options.backlog && !this.jobs.has(key)
  }

  /** One job a key at a time in this process: a second waits for the first, then finds less to do. */
  private run (key: string, from?: VariantSource): void {
    if (this.full(key)) {
      this.markers.letGo(key)
      this.options.events?.deferred?.()
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
      this.markers.letGo(key)
      this.options.events?.failed?.()
      this.options.log?.error({ err: error, key }, 'making variants failed; the marker stays for a later sweep')
    })
    this.jobs.set(key, job)
    void job.finally(() => {
      if (this.jobs.get(key) === job) this.jobs.delete(key)
    })
  }

  private async make (key: string, given?: Source): Promise<void> {
    const imaging = given === undefined ? this.background : this.following
    const found = await this.whereabouts(key)
    const missing = this.missing(key, found)
    const workspace = missing.length > 0 ? await this.options.stores.temp.workspace() : undefined
    try {
      let made: Thumbnail[] = []
      if (found.home !== undefined && workspace !== undefined) {
        const source = given ?? await this.source(key, found.home, workspace, imaging)
        const formats = this.options.formats.filter(format => missing.some(variant => variant.endsWith(`.${format}`)))
        made = (await imaging.thumbnails(source, key, workspace.dir, formats)).filter(variant => missing.includes(variant.key))
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
    const { home, inActive, inIncoming } = await this.whereabouts(key)
    if (home === undefined) {
      await removeFamily(this.options, key)
    } else {
      if (home === active) {
        // Made in incoming before a publish moved the rest: they follow it.
        await incoming.moveAll(this.expected(key).filter(variant => inIncoming.has(variant)), active, () => claim.check())
      }
      const there = home === active ? inActive : inIncoming
      await settleAll(made.filter(variant => !there.has(variant.key)).map(async variant => {
        claim.check()
        await home.put(variant.key, variant.path)
      }))
    }
    await this.settle(key)
  }

  /** Two listings, whatever the family's size. */
  private async whereabouts (key: string): Promise<Whereabouts> {
    const { incoming, active } = this.options.stores
    const [inActive, inIncoming] = await settleAll([familyIn(this.options, active, key), familyIn(this.options, incoming, key)])
    const home = inActive.has(key) ? active : inIncoming.has(key) ? incoming : undefined
    return { home, inActive, inIncoming }
  }

  /** The variants the image's home lacks; in active, those still in incoming count as there (they follow). */
  private missing (key: string, { home, inActive, inIncoming }: Whereabouts): string[] {
    if (home === undefined) return []
    return this.expected(key).filter(variant => !(home === this.options.stores.active ? inActive.has(variant) || inIncoming.has(variant) : inIncoming.has(variant)))
  }

  /** The largest thumbnail the image has in `home`, else its original. */
  private async source (key: string, home: Storage, workspace: Workspace, imaging: Imaging): Promise<Source> {
    const format = thumbnailFormat(formatOf(key))
    const thumbnails = await settleAll(this.options.suffixes.map(async suffix => {
      const path = workspace.file(`source-${suffix}.${format}`)
      const fetched = await home.fetch(thumbnailKey(key, suffix), path).then(() => true, () => false)
      const size = fetched ? await imaging.detect(path) : undefined
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

  /** Runs `task` after `ms`, unless drained first; the marker survives a restart, so nothing keeps the process up. */
  private later (ms: number, task: () => void): void {
    this.delayed++
    const cancel = this.clock.after(ms, () => {
      this.timers.delete(cancel)
      this.delayed--
      task()
    })
    this.timers.add(cancel)
  }
}
