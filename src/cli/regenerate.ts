import { loadConfigOrReport } from '../config/config.js'
import { extraFormats } from '../lifecycle/extra-formats.js'
import { configuredOptions, createImageService } from '../lifecycle/image-service.js'
import type { Plan } from '../lifecycle/regenerate.js'
import { listImages, plan, regenerateAll, type Outputs } from './regenerate-all.js'
import type { Storage } from '../storage/storage.js'
import { createImaging } from '../imaging/create-imaging.js'
import { isOriginal } from '../keys.js'
import { settleAll } from '../settle.js'
import { createStores } from '../storage/create-stores.js'
import { parseCommandLine, stoppedBy, usageError, type Env, type Io } from './io.js'
import { progress } from './progress.js'

const USAGE = `Usage: image-backend-regenerate [--missing] [--dry-run] [--concurrency N] [KEY ...]
   (or: npm run regenerate -- ..., or: node dist/bin/regenerate.js ...)
Rebuilds the thumbnails (RESIZING_CONFIG) and WebP/AVIF variants (GENERATE_WEBP, GENERATE_AVIF)
of the images in active, from their originals, which it never changes: the KEYs named, or every
image. --missing makes only what is not there yet (the backfill; run it again to resume).
--dry-run says what it would make. --concurrency sets the image commands run at once
(default IMAGING_CONCURRENCY). Exits 1, after listing them, when any image failed. On SIGINT or
SIGTERM it finishes the images under way, says what it made, and exits 130 or 143.`

/** `npm run regenerate`: its exit code. */
export async function main (argv: string[], env: Env, io: Io): Promise<number> {
  const parsed = parseCommandLine({
    args: argv,
    allowPositionals: true,
    options: {
      missing: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      concurrency: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false }
    }
  }, USAGE, io)
  if (parsed === undefined) return 2
  const { values, positionals: keys } = parsed
  if (values.help) {
    io.stdout.write(`${USAGE}\n`)
    return 0
  }
  const badKeys = keys.filter(key => !isOriginal(key))
  if (badKeys.length > 0) return usageError(io, USAGE, `Not an image key: ${badKeys.join(', ')}`)
  const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency)
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency > 0)) {
    return usageError(io, USAGE, `--concurrency takes a whole number greater than 0 (got "${values.concurrency}")`)
  }
  const config = loadConfigOrReport(env, io.stderr)
  if (config === undefined) return 1

  const stores = await createStores(config)
  try {
    const imaging = createImaging(config, stores.temp, { concurrency })
    const { formats, states } = await extraFormats(config, imaging)
    io.stdout.write(`${states.join('; ')}\n`)
    const options = configuredOptions(config)
    const images = createImageService({ ...options, stores, imaging, formats })
    const outputs: Outputs = { suffixes: options.suffixes, formats }
    const plans = await planAll(stores.active, outputs, keys, values.missing)
    const work = plans.filter(each => each.outputs.length > 0)
    const complete = plans.length - work.length
    if (values['dry-run']) {
      for (const each of work) io.stdout.write(`${each.key}: ${each.outputs.join(' ')}\n`)
      io.stdout.write(`Would make ${files(work)} files for ${work.length} images; ${complete} complete.\n`)
      return 0
    }
    const bar = progress(work.length, io.stderr)
    const { made, failures } = await regenerateAll(images, work, 2 * imaging.queue.concurrency, bar.tick, io.stop)
    bar.stop()
    const left = work.length - made.length - failures.length
    io.stdout.write(`${stoppedBy(io.stop)}Made ${files(made)} files for ${made.length} images; ${complete} complete; ${failures.length} failed${left > 0 ? `; ${left} left (run it again to resume)` : ''}.\n`)
    for (const failure of failures) io.stdout.write(`failed: ${failure.key}: ${failure.message}\n`)
    return failures.length > 0 ? 1 : 0
  } finally {
    await stores.close()
  }
}

const files = (plans: Plan[]): number => plans.reduce((sum, each) => sum + each.outputs.length, 0)

/** The plan of each named key (one not in active fails when its original is fetched), or of every image in active. */
async function planAll (active: Storage, outputs: Outputs, keys: string[], missingOnly: boolean): Promise<Plan[]> {
  if (keys.length === 0) {
    const { originals, present } = await listImages(active)
    return originals.map(key => plan(outputs, key, output => present.has(output), missingOnly))
  }
  return await settleAll(keys.map(async key => {
    const wanted = plan(outputs, key, () => false, false).outputs
    const present = await settleAll(wanted.map(async output => await active.exists(output)))
    return plan(outputs, key, output => present[wanted.indexOf(output)], missingOnly)
  }))
}
