import { loadConfigOrReport } from '../config.js'
import { cleanIncoming } from '../lifecycle/clean-incoming.js'
import { isOriginal } from '../keys.js'
import { createStores } from '../storage/create-stores.js'
import { parseCommandLine, stoppedBy, usageError, type Env, type Io } from './io.js'

const USAGE = `Usage: image-backend-clean-incoming [--older-than SECONDS] [--dry-run]
   (or: npm run clean:incoming -- ..., or: node dist/bin/clean-incoming.js ...)
Removes from incoming every file (originals, thumbnails, half-written uploads) older than
SECONDS (default 7200, two hours), on the storage the environment configures. On SIGINT or
SIGTERM it stops after the page of files under way, says what it removed, and exits 130 or 143.`

/** `npm run clean:incoming`: its exit code. */
export async function main (argv: string[], env: Env, io: Io): Promise<number> {
  const parsed = parseCommandLine({
    args: argv,
    options: {
      'older-than': { type: 'string', default: '7200' },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false }
    }
  }, USAGE, io)
  if (parsed === undefined) return 2
  const { values } = parsed
  if (values.help) {
    io.stdout.write(`${USAGE}\n`)
    return 0
  }
  const seconds = Number(values['older-than'])
  if (!Number.isInteger(seconds) || seconds < 0) return usageError(io, USAGE, `--older-than takes a whole number of seconds (got "${values['older-than']}")`)
  const config = loadConfigOrReport(env, io.stderr)
  if (config === undefined) return 1

  const stores = await createStores(config)
  try {
    const removed = await cleanIncoming(stores.incoming, new Date(Date.now() - seconds * 1000), values['dry-run'], io.stop)
    const images = removed.filter(isOriginal).length
    const verb = values['dry-run'] ? 'Would remove' : 'Removed'
    io.stdout.write(`${stoppedBy(io.stop)}${verb} ${removed.length} files (${images} images) older than ${seconds} s from incoming.\n`)
    return 0
  } finally {
    await stores.close()
  }
}
