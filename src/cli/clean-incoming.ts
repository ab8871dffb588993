import { parseArgs } from 'node:util'
import { loadConfigOrExit } from '../config.js'
import { isOriginal } from '../keys.js'
import { createStores } from '../storage/create-stores.js'
import { cleanIncoming } from '../images/clean-incoming.js'

const USAGE = `Usage: npm run clean:incoming -- [--older-than SECONDS] [--dry-run]
Removes from incoming every file (originals, thumbnails, half-written uploads) older than
SECONDS (default 7200, two hours), on the storage the environment configures.`

const { values } = parseArgs({
  options: {
    'older-than': { type: 'string', default: '7200' },
    'dry-run': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false }
  }
})
const seconds = Number(values['older-than'])
if (values.help || !Number.isInteger(seconds) || seconds < 0) {
  console.log(USAGE)
  process.exit(values.help ? 0 : 2)
}

const config = loadConfigOrExit(process.env)
const stores = await createStores(config)
try {
  const removed = await cleanIncoming(stores.incoming, new Date(Date.now() - seconds * 1000), values['dry-run'])
  const images = removed.filter(isOriginal).length
  const verb = values['dry-run'] ? 'Would remove' : 'Removed'
  console.log(`${verb} ${removed.length} files (${images} images) older than ${seconds} s from incoming.`)
} finally {
  stores.close()
}
