// What each operation costs on S3, counted by the test server's own front (every request it
// received), against the targets docs/operating.md's table states; and storage_requests_total agrees.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { loadConfig } from '../../src/config/config.js'
import { KeyLocks } from '../../src/lifecycle/key-lock.js'
import { VariantJobs } from '../../src/lifecycle/variant-jobs.js'
import { createStores } from '../../src/storage/create-stores.js'
import { FakeClock } from '../fake-clock.js'
import { deleteImages, makeImage, NO_LIMIT_MS, publish, rotate, testApp, testImaging, upload } from '../helpers.js'
import { startS3, type TestS3 } from '../s3.js'
import { until } from '../until.js'

type Request = TestS3['requests'][number]

/** The requests `call` and the background work it starts sent, once that work is done. */
async function sentBy (s3: TestS3, app: FastifyInstance, call: () => Promise<unknown>): Promise<Request[]> {
  const from = s3.requests.length
  await call()
  // Waiting on the process's own state, not on a listing: that would be a request too.
  await until(() => !app.images.variants.busy, 'no variant job running or waiting')
  return s3.requests.slice(from)
}

/** storage_requests_total of `app`, those of one operation or all. */
async function counted (app: FastifyInstance, operation?: string): Promise<number> {
  const { values } = await app.serviceMetrics.storageRequests.get()
  return values.filter(each => operation === undefined || each.labels.operation === operation).reduce((total, each) => total + each.value, 0)
}

/** Ready, and done with the listings it makes at start: one for markers named as before, then the first sweep. */
async function started (app: FastifyInstance): Promise<void> {
  await app.ready()
  await until(async () => await counted(app, 'ListObjectsV2') === 2, 'the two listings at start')
}

/** `PUT 10, GET 2`: the requests by HTTP method, for the log. */
const byMethod = (requests: Request[]): string => [...new Set(requests.map(r => r.method))].map(method => `${method} ${requests.filter(r => r.method === method).length}`).join(', ')

t.test('requests an image costs on S3 with WebP and AVIF on: upload ≤ 8, publish ≤ 15, delete ≤ 6', async t => {
  const s3 = await startS3(t)
  const picture = makeImage(t.testdir(), 'a.jpg', '600x400')
  const plain = (await testApp(t, s3.env)).app
  const { app } = await testApp(t, { ...s3.env, GENERATE_WEBP: '1', GENERATE_AVIF: '1', THUMBNAILS_PUBLISH_DELAY: '0' })
  await Promise.all([started(plain), started(app)])
  const costs: Record<string, Request[]> = {}

  costs.upload = await sentBy(s3, plain, async () => await upload(plain, picture))
  let key = ''
  costs['upload and its variants'] = await sentBy(s3, app, async () => { key = (await upload(app, picture)).body.filename })
  costs.publish = await sentBy(s3, app, async () => await publish(app, key))
  costs['publish again'] = await sentBy(s3, app, async () => await publish(app, key))
  let rotated = ''
  costs['rotate and its variants'] = await sentBy(s3, app, async () => { rotated = (await rotate(app, key, 90)).body.filename })
  costs.delete = await sentBy(s3, app, async () => await deleteImages(app, [rotated]))
  for (const [operation, requests] of Object.entries(costs)) t.comment(`${operation}: ${requests.length} (${byMethod(requests)})`)

  t.ok(costs.upload.length <= 8, `upload: ${costs.upload.length}`)
  t.ok(costs.publish.length <= 15, `publish: ${costs.publish.length}`)
  t.ok(costs.delete.length <= 6, `delete: ${costs.delete.length}`)
  t.notOk(costs.publish.some(r => r.method === 'HEAD'), 'a publish lists a family, it does not ask for each name')
  t.equal(await counted(plain) + await counted(app), s3.requests.length, 'storage_requests_total counted every request the server received')
  t.same(await s3.keys('active'), [], 'the rotated image deleted whole')
})

t.test('a quiet minute with 3,000 objects in incoming costs one listing a sweep, whatever the bucket holds', async t => {
  const s3 = await startS3(t)
  const names = Array.from({ length: 3000 }, (_, i) => `1732790000_${String(i).padStart(10, '0')}${['', 'BI', 'SI'][i % 3]}.jpg`)
  await s3.fill('incoming', names)
  const dir = mkdtempSync(join(tmpdir(), 'image-backend-sweep-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const stores = await createStores(loadConfig({ ...s3.env, TEMP_FOLDER: dir }))
  t.teardown(() => stores.close())
  const clock = new FakeClock()
  const leaseMs = 15_000
  let sweeps = 0
  const jobs = new VariantJobs({
    stores,
    imaging: testImaging(),
    suffixes: ['BI', 'SI'],
    formats: ['webp'],
    thumbnailsPublishDelayMs: 0,
    leaseMs,
    locks: new KeyLocks({ store: stores.incoming, leaseMs, waitMs: 0, clock }),
    backlog: 8,
    clock,
    events: { owed: () => { sweeps++ } }
  })
  t.teardown(async () => await jobs.drain(NO_LIMIT_MS))
  const start = s3.requests.length
  await jobs.startBackground()
  const atStart = s3.requests.slice(start)
  t.equal(atStart.filter(r => r.method === 'GET').length, 4, 'at start, once: 3 pages of the whole bucket for markers named as before, then the first sweep')
  const before = s3.requests.length
  for (let second = 0; second < 60; second++) await clock.advance(1000)
  const minute = s3.requests.slice(before)
  t.equal(sweeps, 5, 'the first sweep and one each lease')
  t.ok(minute.length <= 2 * 4, `${minute.length} requests in a quiet minute, ${minute.length / 4} a sweep`)
  t.same(new Set(minute.map(r => `${r.method} ${r.path}`)), new Set(['GET /incoming/']), 'listings only')
})
