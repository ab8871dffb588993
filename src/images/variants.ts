import { rename } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Imaging } from '../imaging/imaging.js'
import type { Source, Thumbnail } from '../imaging/thumbnails.js'
import { formatOf, pendingMarker, variantKeys, type ExtraFormat, type Format } from '../keys.js'
import { settleAll } from '../settle.js'
import type { Storage } from '../storage/storage.js'
import type { Stores } from '../storage/stores.js'
import type { Workspace } from '../storage/temp-folder.js'
import { moveIfThere } from './move.js'

export interface VariantsOptions {
  stores: Stores
  imaging: Imaging
  suffixes: string[]
  /** The extra formats to make; empty turns variants off. */
  formats: ExtraFormat[]
  /** How long a publish waits for variants still being made, before making them again. */
  publishDelayMs: number
  log: { error: (details: object, message: string) => void }
  onFailure: () => void
}

/** The largest of some thumbnails: what the variants are made from. */
export function largest (thumbnails: Thumbnail[]): Thumbnail {
  return thumbnails.reduce((a, b) => b.width * b.height > a.width * a.height ? b : a)
}

/** A file a job may make variants from, and the workspace it owns and removes when done. */
export interface VariantSource {
  workspace: Workspace
  source: Source
}

/**
 * The WebP/AVIF variants, made in the background. A `.pending` marker in incoming records each
 * image whose variants are owed, before the request that owes them answers; it is removed only
 * once they all exist, so a restart (see `recover`) picks up whatever was cut off.
 */
export class Variants {
  private readonly jobs = new Map<string, Promise<void>>()
  private readonly timers = new Set<NodeJS.Timeout>()

  constructor (private readonly options: VariantsOptions) {}

  get enabled (): boolean {
    return this.options.formats.length > 0
  }

  /** The variant keys `key` must end up with. */
  expected (key: string): string[] {
    return variantKeys(key, this.options.suffixes, this.options.formats).slice(this.options.suffixes.length)
  }

  /** Records durably that the variants of `key` are owed (nothing, when variants are off). */
  async mark (key: string): Promise<void> {
    if (!this.enabled) return
    await this.options.stores.incoming.putStream(pendingMarker(key), Readable.from([]), 0)
  }

  /** Makes the variants of `key` in the background, from `from` when given, else from the stored original. */
  start (key: string, from?: VariantSource): void {
    this.track(key, async () => {
      try {
        await this.ensure(key, from?.source)
      } finally {
        await from?.workspace.remove()
      }
    })
  }

  /**
   * Makes the variants of a new image from the largest of its base thumbnails (about six times
   * cheaper than from the original). The file moves into a workspace the job owns, since the
   * request's own is removed when it answers.
   */
  async startFrom (key: string, thumbnails: Thumbnail[], format: Format): Promise<void> {
    if (!this.enabled) return
    const source = largest(thumbnails)
    const workspace = await this.options.stores.temp.workspace()
    const path = workspace.file(source.key)
    await rename(source.path, path)
    // Its size is known: the pipeline need not read it again.
    this.start(key, { workspace, source: { path, format, width: source.width, height: source.height } })
  }

  /** After a publish: variants still missing from active are awaited, then made again. */
  async afterPublish (key: string): Promise<void> {
    if (!this.enabled) return
    const { active } = this.options.stores
    const present = await settleAll(this.expected(key).map(async variant => await active.exists(variant)))
    if (present.every(Boolean)) return
    await this.mark(key)
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      this.start(key)
    }, this.options.publishDelayMs)
    // The marker survives a restart; the timer need not keep the process up.
    timer.unref()
    this.timers.add(timer)
  }

  /** Takes up every job a previous process left owed. */
  async recover (): Promise<number> {
    let count = 0
    for await (const page of this.options.stores.incoming.listOlderThan(new Date())) {
      for (const marker of page.filter(name => name.endsWith('.pending'))) {
        this.start(marker.slice(0, -'.pending'.length))
        count++
      }
    }
    return count
  }

  /** Waits for running jobs, at most `timeoutMs`; true when none was cut off. */
  async drain (timeoutMs: number): Promise<boolean> {
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
    const deadline = Date.now() + timeoutMs
    // Requests still finishing may start jobs while we wait: look again until none is left.
    while (this.jobs.size > 0 && Date.now() < deadline) {
      await Promise.race([Promise.allSettled(this.jobs.values()), sleep(deadline - Date.now(), undefined, { ref: false })])
    }
    return this.jobs.size === 0
  }

  /** One job a key at a time: a second waits for the first, then finds less to do. */
  private track (key: string, task: () => Promise<void>): void {
    const job = (this.jobs.get(key) ?? Promise.resolve()).then(task).catch(error => {
      this.options.onFailure()
      this.options.log.error({ err: error, key }, 'making variants failed; the marker stays for the next try')
    })
    this.jobs.set(key, job)
    void job.finally(() => {
      if (this.jobs.get(key) === job) this.jobs.delete(key)
    })
  }

  private async ensure (key: string, source?: Source): Promise<void> {
    const { incoming, active } = this.options.stores
    const home = await active.exists(key) ? active : await incoming.exists(key) ? incoming : undefined
    if (home !== undefined) {
      const missing: string[] = []
      for (const variant of this.expected(key)) {
        if (await home.exists(variant)) continue
        // Made after the publish had moved the rest: it follows now.
        if (home !== active || !(await moveIfThere(variant, incoming, active))) missing.push(variant)
      }
      if (missing.length > 0) await this.make(key, missing, home, source)
    }
    await incoming.delete(pendingMarker(key))
  }

  private async make (key: string, missing: string[], home: Storage, source?: Source): Promise<void> {
    const { stores, imaging } = this.options
    const workspace = await stores.temp.workspace()
    try {
      let input = source
      if (input === undefined) {
        input = { path: workspace.file(`original.${formatOf(key)}`), format: formatOf(key) }
        await home.fetch(key, input.path)
      }
      const formats = this.options.formats.filter(format => missing.some(variant => variant.endsWith(`.${format}`)))
      const made = await imaging.thumbnails(input, key, workspace.dir, formats)
      const wanted = made.filter(variant => missing.includes(variant.key))
      await settleAll(wanted.map(async variant => await home.put(variant.key, variant.path)))
      // Published while we worked: the publish moved what existed then; these follow it.
      if (home === stores.incoming && !(await stores.incoming.exists(key))) {
        await settleAll(wanted.map(async variant => await moveIfThere(variant.key, stores.incoming, stores.active)))
      }
    } finally {
      await workspace.remove()
    }
  }
}
