// Listings past a page, where the service lists: the sweep for owed work and clean-incoming, on
// local folders and on S3 (s3rver pages with tokens only under --openssl-legacy-provider: .taprc).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import t from 'tap'
import { cleanIncoming } from '../../src/lifecycle/clean-incoming.js'
import { KeyLocks } from '../../src/lifecycle/key-lock.js'
import { VariantJobs } from '../../src/lifecycle/variant-jobs.js'
import { LocalStorage } from '../../src/storage/local-storage.js'
import { S3Storage } from '../../src/storage/s3-storage.js'
import type { Storage } from '../../src/storage/storage.js'
import { TempFolder } from '../../src/storage/temp-folder.js'
import { NO_LIMIT_MS, testImaging, type TestContext } from '../helpers.js'
import { startS3 } from '../s3.js'
import { ageLocalFile } from '../storage/contract.js'

const PAGE = 2
const LEASE = 15_000
const keys = Array.from({ length: 5 }, (_, i) => `1732790000_000000000${i}.jpg`)

interface PagedStores {
  incoming: Storage
  active: Storage
  /** Makes a key of incoming look written `seconds` ago. */
  age: (key: string, seconds: number) => Promise<void>
}

const backends: Record<string, (t: TestContext) => Promise<PagedStores>> = {
  'local folders': async t => {
    const dir = mkdtempSync(join(tmpdir(), 'image-backend-paging-'))
    t.teardown(() => rmSync(dir, { recursive: true, force: true }))
    const incoming = await new LocalStorage('incoming', join(dir, 'incoming'), PAGE).init()
    return { incoming, active: await new LocalStorage('active', join(dir, 'active'), PAGE).init(), age: async (key, seconds) => ageLocalFile(incoming.folder, key, seconds) }
  },
  S3: async t => {
    const s3 = await startS3(t)
    const store = (name: string): S3Storage => new S3Storage({ name, bucket: name, client: s3.client, connection: 'TEST', acl: 'private', cacheControl: 'no-cache', pageSize: PAGE })
    return { incoming: store('incoming'), active: store('active'), age: async (key, seconds) => await s3.age('incoming', key, seconds) }
  }
}

const empty = async (store: Storage, key: string): Promise<void> => await store.putStream(key, Readable.from([]), 0)

for (const [backend, makeStores] of Object.entries(backends)) {
  t.test(`${backend}, pages of ${PAGE}: the sweep takes over every stale marker`, async t => {
    const { incoming, active, age } = await makeStores(t)
    for (const key of keys) {
      await empty(incoming, `pending-${key}`)
      await age(`pending-${key}`, 60)
    }
    const dir = mkdtempSync(join(tmpdir(), 'image-backend-paging-temp-'))
    t.teardown(() => rmSync(dir, { recursive: true, force: true }))
    const temp = await new TempFolder(dir).init()
    let takenOver = 0
    const jobs = new VariantJobs({
      stores: { temp, incoming, active, close: async () => await temp.close() },
      imaging: testImaging(),
      suffixes: ['BI'],
      formats: ['webp'],
      thumbnailsPublishDelayMs: 0,
      leaseMs: LEASE,
      locks: new KeyLocks({ store: incoming, leaseMs: LEASE, waitMs: 0 }),
      backlog: 8,
      events: { takenOver: count => { takenOver += count } }
    })
    await jobs.startBackground()
    await jobs.drain(NO_LIMIT_MS)
    t.equal(takenOver, keys.length, 'all five, over three pages')
    t.same(await incoming.listPrefix(''), [], 'each job found no image and removed its marker')
  })

  t.test(`${backend}, pages of ${PAGE}: clean-incoming removes every image, one split across pages too`, async t => {
    const { incoming, age } = await makeStores(t)
    // Three files an image: every page boundary falls inside one.
    const files = keys.flatMap(key => [key, key.replace('.jpg', 'BI.jpg'), key.replace('.jpg', 'SI.jpg')])
    for (const file of files) {
      await empty(incoming, file)
      await age(file, 3 * 3600)
    }
    const locks = new KeyLocks({ store: incoming, leaseMs: LEASE, waitMs: 0 })
    const { removed, busy } = await cleanIncoming({ incoming, locks, cutoff: new Date(Date.now() - 2 * 3600_000), dryRun: false })
    t.same(removed.sort(), files.sort())
    t.equal(busy, 0)
    t.same(await incoming.listPrefix(''), [])
  })
}
