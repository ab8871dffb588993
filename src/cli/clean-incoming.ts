import { loadConfigOrReport } from '../config/config.js'
import { cleanIncoming } from '../lifecycle/clean-incoming.js'
import { isOriginal } from '../keys.js'
import { KeyLocks } from '../lifecycle/key-lock.js'
import { createStores } from '../storage/create-stores.js'
import { parseCommandLine, stoppedBy, usageError, type Env, type Io } from './io.js'

const USAGE = `Usage: image-backend-clean-incoming [--older-than SECONDS] [--all] [--dry-run]
   (or: npm run clean:incoming -- ..., or: node dist/bin/clean-incoming.js ...)
Removes from incoming every file (originals, thumbnails, half-written uploads) older than
SECONDS, a whole number greater than 0 (default 7200, two hours); --older-than 0 also takes
--all, as it removes uploads being made. Each image's files go holding its key: one that a call
is using is skipped, and said. On SIGINT or SIGTERM it stops after the page of files under way,
says what it removed, and exits 130 or 143.`

// Digits only: Number() would read "" and " " as 0, and "0x10" or "1e3" too.
const SECONDS = /^[0-9]{1,10}$/

/** `npm run clean:incoming`: its exit code. */
export async function main (argv: string[], env: Env, io: Io): Promise<number> {
  const parsed = parseCommandLine({
    args: argv,
    options: {
      'older-than': { type: 'string', default: '7200' },
      'dry-run': { type: 'boolean', default: false },
      all: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false }
    }
  }, USAGE, io)
  if (parsed === undefined) return 2
  const { values } = parsed
  if (values.help) {
    io.stdout.write(`${USAGE}\n`)
    return 0
  }
  const given = values['older-than']
  if (!SECONDS.test(given)) return usageError(io, USAGE, `--older-than takes a whole number of seconds (got "${given}")`)
  const seconds = Number(given)
  if (seconds === 0 && !values.all) return usageError(io, USAGE, '--older-than 0 removes uploads being made: add --all to mean it')
  const config = loadConfigOrReport(env, io.stderr)
  if (config === undefined) return 1

  const stores = await createStores(config)
  try {
    const locks = new KeyLocks({ store: stores.incoming, leaseMs: config.workLeaseMs, waitMs: 0 })
    const cutoff = new Date(Date.now() - seconds * 1000)
    const { removed, busy } = await cleanIncoming({ incoming: stores.incoming, locks, cutoff, dryRun: values['dry-run'], stop: io.stop })
    const images = removed.filter(isOriginal).length
    const verb = values['dry-run'] ? 'Would remove' : 'Removed'
    const skipped = busy > 0 ? ` Skipped ${busy} images in use: the next run takes them.` : ''
    io.stdout.write(`${stoppedBy(io.stop)}${verb} ${removed.length} files (${images} images) older than ${seconds} s from incoming.${skipped}\n`)
    return 0
  } finally {
    await stores.close()
  }
}
