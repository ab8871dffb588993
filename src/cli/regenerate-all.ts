import type { ImageService } from '../lifecycle/image-service.js'
import type { Plan } from '../lifecycle/regenerate.js'
import { CommandInterrupted } from '../imaging/run.js'
import type { ExtraFormat } from '../formats.js'
import { familyKeys, isOriginal } from '../keys.js'
import type { Storage } from '../storage/storage.js'

export interface Failure {
  key: string
  message: string
}

/** Every original in `store`, and every key there, from one pass over the listing (paginated on S3). */
export async function listImages (store: Storage): Promise<{ originals: string[], present: Set<string> }> {
  const present = new Set<string>()
  for await (const page of store.list()) for (const { key } of page) present.add(key)
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
