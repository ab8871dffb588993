import type { Imaging } from '../imaging/imaging.js'
import { formatOf, isOriginal, thumbnailFormat, variantKeys, type ExtraFormat } from '../keys.js'
import { settleAll } from '../settle.js'
import type { Storage } from '../storage/storage.js'
import type { Stores } from '../storage/stores.js'
import { largest } from './variants.js'

export interface RegenerateContext {
  stores: Stores
  imaging: Imaging
  suffixes: string[]
  formats: ExtraFormat[]
}

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

/** What `key` needs: every thumbnail and variant, or with `missingOnly` those not `present`. */
export function plan (context: RegenerateContext, key: string, present: (key: string) => boolean, missingOnly: boolean): Plan {
  const expected = variantKeys(key, context.suffixes, context.formats)
  return { key, outputs: missingOnly ? expected.filter(output => !present(output)) : expected }
}

/**
 * Makes the planned outputs of one active image from its original, through the same pipeline
 * and queue as uploads (the variants from the largest thumbnail), and puts them in active. The
 * original is only read.
 */
export async function regenerateImage ({ stores, imaging, formats }: RegenerateContext, { key, outputs }: Plan): Promise<void> {
  const workspace = await stores.temp.workspace()
  try {
    const format = formatOf(key)
    const original = workspace.file(`original.${format}`)
    await stores.active.fetch(key, original)
    const thumbnails = await imaging.thumbnails({ path: original, format }, key, workspace.dir)
    const extra = formats.filter(extraFormat => outputs.some(output => output.endsWith(`.${extraFormat}`)))
    const source = largest(thumbnails)
    const variants = extra.length > 0
      ? await imaging.thumbnails({ path: source.path, format: thumbnailFormat(format), width: source.width, height: source.height }, key, workspace.dir, extra)
      : []
    const wanted = [...thumbnails, ...variants].filter(made => outputs.includes(made.key))
    await settleAll(wanted.map(async made => await stores.active.put(made.key, made.path)))
  } finally {
    await workspace.remove()
  }
}

/** Runs the plans, `inFlight` images at a time; calls `done` after each. Returns the failures. */
export async function regenerate (context: RegenerateContext, plans: Plan[], inFlight: number, done: (failed: boolean) => void): Promise<Failure[]> {
  const failures: Failure[] = []
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < plans.length) {
      const current = plans[next++]
      try {
        await regenerateImage(context, current)
        done(false)
      } catch (error) {
        failures.push({ key: current.key, message: (error as Error).message.split('\n')[0] })
        done(true)
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(inFlight, plans.length) }, worker))
  return failures.sort((a, b) => a.key.localeCompare(b.key))
}
