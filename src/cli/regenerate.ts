import { parseArgs } from 'node:util'
import { loadConfigOrExit } from '../config.js'
import { extraFormats } from '../images/extra-formats.js'
import { listImages, plan, regenerate, type Plan, type RegenerateContext } from '../images/regenerate.js'
import { createImaging } from '../imaging/create-imaging.js'
import { isOriginal } from '../keys.js'
import { settleAll } from '../settle.js'
import { createStores } from '../storage/create-stores.js'
import { progress } from './progress.js'

const USAGE = `Usage: npm run regenerate -- [--missing] [--dry-run] [--concurrency N] [KEY ...]
Rebuilds the thumbnails (RESIZING_CONFIG) and WebP/AVIF variants (GENERATE_WEBP, GENERATE_AVIF)
of the images in active, from their originals, which it never changes: the KEYs named, or every
image. --missing makes only what is not there yet (the backfill; run it again to resume).
--dry-run says what it would make. --concurrency sets the image commands run at once
(default IMAGING_CONCURRENCY). Exits 1, after listing them, when any image failed.`

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    missing: { type: 'boolean', default: false },
    'dry-run': { type: 'boolean', default: false },
    concurrency: { type: 'string' },
    help: { type: 'boolean', default: false }
  }
})
const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency)
const badKeys = positionals.filter(key => !isOriginal(key))
if (values.help || badKeys.length > 0 || (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency > 0))) {
  if (badKeys.length > 0) console.error(`Not an image key: ${badKeys.join(', ')}`)
  console.log(USAGE)
  process.exit(values.help ? 0 : 2)
}

const config = loadConfigOrExit(process.env)
const stores = await createStores(config)
try {
  const imaging = createImaging(config, stores.temp, { concurrency })
  const { formats, states } = await extraFormats(config, imaging)
  console.log(states.join('; '))
  const context: RegenerateContext = { stores, imaging, suffixes: config.resizing.map(rule => rule.suffix), formats }
  const plans = await planAll(context)
  const work = plans.filter(each => each.outputs.length > 0)
  const complete = plans.length - work.length
  const files = (plans: Plan[]): number => plans.reduce((sum, each) => sum + each.outputs.length, 0)
  if (values['dry-run']) {
    for (const each of work) console.log(`${each.key}: ${each.outputs.join(' ')}`)
    console.log(`Would make ${files(work)} files for ${work.length} images; ${complete} complete.`)
  } else {
    const bar = progress(work.length)
    const failures = await regenerate(context, work, 2 * imaging.queue.concurrency, bar.tick)
    bar.stop()
    const made = work.filter(each => !failures.some(failure => failure.key === each.key))
    console.log(`Made ${files(made)} files for ${made.length} images; ${complete} complete; ${failures.length} failed.`)
    for (const failure of failures) console.log(`failed: ${failure.key}: ${failure.message}`)
    process.exitCode = failures.length > 0 ? 1 : 0
  }
} finally {
  stores.close()
}

/** The plan of each named key (one not in active fails when its original is fetched), or of every image in active. */
async function planAll (context: RegenerateContext): Promise<Plan[]> {
  const { active } = context.stores
  if (positionals.length === 0) {
    const { originals, present } = await listImages(active)
    return originals.map(key => plan(context, key, output => present.has(output), values.missing))
  }
  return await settleAll(positionals.map(async key => {
    const wanted = plan(context, key, () => false, false).outputs
    const present = await settleAll(wanted.map(async output => await active.exists(output)))
    return plan(context, key, output => present[wanted.indexOf(output)], values.missing)
  }))
}
