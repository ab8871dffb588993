import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { loadConfig } from '../../src/config/config.js'
import { createStores } from '../../src/storage/create-stores.js'
import { S3Storage } from '../../src/storage/s3-storage.js'
import { startS3 } from '../s3.js'
import { storageContract } from './contract.js'

async function s3Stores (t: any, env: Record<string, string> = {}) {
  const s3 = await startS3(t)
  const config = loadConfig({ ...s3.env, TEMP_FOLDER: join(t.testdir(), 'temp'), ...env })
  const stores = await createStores(config)
  t.teardown(() => stores.close())
  return { s3, stores }
}

storageContract(t, async (t, pageSize) => {
  const { s3, stores } = await s3Stores(t)
  // A store of the service's kind, on the test server, that asks for small pages.
  const paged = (name: string): S3Storage => new S3Storage({ name, bucket: name, client: s3.client, connection: 'TEST', acl: 'private', cacheControl: 'no-cache', pageSize })
  return {
    incoming: pageSize === undefined ? stores.incoming : paged('incoming'),
    active: pageSize === undefined ? stores.active : paged('active'),
    age: async (store, key, seconds) => await s3.age(store.name, key, seconds)
  }
})

t.test('objects get their Content-Type, Cache-Control, and Expires in incoming only', async t => {
  const { s3, stores } = await s3Stores(t, { CACHE_CONTROL: 'public, max-age=86400' })
  const dir = t.testdir({ 'a.bin': 'x' })
  const before = Date.now()
  for (const key of ['1732790000_1.jpg', '1732790000_1.png', '1732790000_1.gif', '1732790000_1.svg', '1732790000_1BI.webp', '1732790000_1BI.avif']) {
    await stores.incoming.put(key, join(dir, 'a.bin'))
  }
  const types = await Promise.all(['jpg', 'png', 'gif', 'svg', 'webp', 'avif'].map(async ext =>
    (await s3.head('incoming', `1732790000_1${ext.length === 3 ? '' : 'BI'}.${ext}`)).ContentType))
  t.same(types, ['image/jpeg', 'image/png', 'image/gif', 'image/svg+xml', 'image/webp', 'image/avif'])
  const incoming = await s3.head('incoming', '1732790000_1.jpg')
  t.equal(incoming.CacheControl, 'public, max-age=86400')
  const expires = incoming.Expires?.getTime() ?? 0
  t.ok(expires >= Math.floor(before / 1000) * 1000 + 2 * 3600 * 1000 && expires <= Date.now() + 2 * 3600 * 1000, 'expires in 2 hours')

  await stores.incoming.moveAll(['1732790000_1.jpg'], stores.active)
  const active = await s3.head('active', '1732790000_1.jpg')
  t.match(active, { ContentType: 'image/jpeg', CacheControl: 'public, max-age=86400', Expires: undefined })
})

t.test('buckets on two connections move by streaming through', async t => {
  const one = await startS3(t, ['incoming', 'unused'])
  const two = await startS3(t, ['unused', 'active'])
  const config = loadConfig({
    STORAGE_BACKEND: 's3',
    TEMP_FOLDER: join(t.testdir(), 'temp'),
    INCOMING_BUCKET: 'incoming',
    INCOMING_PREFIX: 'ONE',
    ONE_ENDPOINT: one.endpoint,
    ONE_ACCESS_KEY_ID: 'S3RVER',
    ONE_SECRET_KEY: 'S3RVER',
    ACTIVE_BUCKET: 'active',
    ACTIVE_PREFIX: 'TWO',
    TWO_ENDPOINT: two.endpoint,
    TWO_ACCESS_KEY_ID: 'S3RVER',
    TWO_SECRET_KEY: 'S3RVER',
    TWO_DEFAULT_REGION: 'eu-west-1'
  })
  const stores = await createStores(config)
  t.teardown(() => stores.close())
  const dir = t.testdir()
  const bytes = Buffer.alloc(2_000_000, 9)
  writeFileSync(join(dir, 'big.jpg'), bytes)
  await stores.incoming.put('1732790000_7.jpg', join(dir, 'big.jpg'))
  t.same(await stores.incoming.moveAll(['1732790000_7.jpg'], stores.active), ['1732790000_7.jpg'])
  t.equal(await stores.incoming.exists('1732790000_7.jpg'), false)
  t.match(await two.head('active', '1732790000_7.jpg'), { ContentType: 'image/jpeg', ContentLength: bytes.length })
  await stores.active.fetch('1732790000_7.jpg', join(dir, 'back.jpg'))
  t.same(readFileSync(join(dir, 'back.jpg')), bytes)
})

t.test('an unreachable server is StorageUnavailable after the retries', async t => {
  const { s3, stores } = await s3Stores(t)
  await s3.stop()
  await t.rejects(stores.active.exists('1732790000_1.jpg'), { name: 'StorageUnavailable', message: 'The active storage is unavailable. Try again later.' })
  await s3.start()
  t.equal(await stores.active.exists('1732790000_1.jpg'), false, 'answers again once it is back')
})
