import { UnknownImage } from '../errors.js'
import { CommandInterrupted } from '../imaging/run.js'
import { largest } from '../imaging/thumbnails.js'
import { familyKeys, formatOf, isOriginal, thumbnailFormat, type ExtraFormat } from '../keys.js'
import { settleAll } from '../settle.js'
import type { Storage } from '../storage/storage.js'
import { fetchOriginal } from './fetch-original.js'
import type { ImageService, ServiceParts } from './image-service.js'

/** One image and the thumbnails and variants to make for it. */
export interface Plan {
  key: string
  outputs: string[]
}

export interface Failure {
  key: string
  message: string
}

/** Every original in `store`, and every key there, from one pass over the listing (paginated on S3). */
export async function listImages (store: Storage): Promise<{ originals: string[], present: Set<string> }> {
  const present = new Set<string>()
  // Everything written up to now: the listing is by age, and this age takes all.
  for await (const page of store.listOlderThan(new Date(Date.now() + 60_000))) for (const key of page) present.add(key)
  return { originals: [...present].filter(isOriginal).sort(), present }
}

/** The thumbnails and variants the config makes. */
export interface Outputs {
  suffixes: string[]
  formats: ExtraFormat[]
}

/** What `key` needs: every thumbnail and variant, or with `missingOnly` those not `present`. */
export function plan ({ suffixes, formats }: Outputs, key: string, present: (key: string) => boolean, missingOnly: boolean): Plan {
  const expected = familyKeys(key, suffixes, formats)
  return { key, outputs: missingOnly ? expected.filter(output => !present(output)) : expected }
}

/**
 * Makes the planned outputs of one active image from its original, through the same pipeline
 * and queue as uploads (the variants from the largest thumbnail), then puts them in active holding
 * the key, only if the image is still there: a delete meanwhile wins. The original is only read.
 */
export async function regenerateImage (parts: ServiceParts, { key, outputs }: Plan): Promise<void> {
  const { stores, imaging, formats } = parts
  const workspace = await stores.temp.workspace()
  try {
    const format = formatOf(key)
    const original = workspace.file(`original.${format}`)
    await fetchOriginal(stores.active, key, original)
    const thumbnails = await imaging.thumbnails({ path: original, format }, key, workspace.dir)
    const extra = formats.filter(extraFormat => outputs.some(output => output.endsWith(`.${extraFormat}`)))
    const source = largest(thumbnails)
    const variants = extra.length > 0
      ? await imaging.thumbnails({ path: source.path, format: thumbnailFormat(format), width: source.width, height: source.height }, key, workspace.dir, extra)
      : []
    const wanted = [...thumbnails, ...variants].filter(made => outputs.includes(made.key))
    await parts.locks.with(key, async claim => {
      if (!(await stores.active.exists(key))) throw new UnknownImage(key)
      await settleAll(wanted.map(async made => {
        claim.check()
        await stores.active.put(made.key, made.path)
      }))
    })
  } finally {
    await workspace.remove()
  }
}

/** Runs the plans, `inFlight` images at a time, none started once `stop` is aborted; calls `done` after each made or failed. */
export async function regenerateAll (images: ImageService, plans: Plan[], inFlight: number, done: (failed: boolean) => void, stop?: AbortSignal): Promise<{ made: Plan[], failures: Failure[] }> {
  const made: Plan[] = []
  const failures: Failure[] = []
  let next = 0
  const stopped = (): boolean => stop?.aborted === true
  const worker = async (): Promise<void> => {
    while (next < plans.length && !stopped()) {
      const current = plans[next++]
      try {
        await images.regenerate(current)
        made.push(current)
        done(false)
      } catch (error) {
        // A Ctrl-C can reach a program in the instant it is being started: that image is left for the next run, not failed.
        if (stopped() && error instanceof CommandInterrupted) continue
        failures.push({ key: current.key, message: (error as Error).message.split('\n')[0] })
        done(true)
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(inFlight, plans.length) }, worker))
  return { made, failures: failures.sort((a, b) => a.key.localeCompare(b.key)) }
}
