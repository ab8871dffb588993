import { join } from 'node:path'
import t from 'tap'
import { deleteImages, identify, makeImage, NO_LIMIT_MS, publish, rotate, testApp, upload } from '../helpers.js'
import { sample } from '../prometheus.js'
import { startS3 } from '../s3.js'

const family = (key: string): string[] => {
  const [stem, ext] = key.split('.')
  return [key, `${stem}BI.${ext}`, `${stem}MI.${ext}`, `${stem}SI.${ext}`].sort()
}

t.test('upload → publish → rotate → delete on S3', async t => {
  const s3 = await startS3(t)
  const { app } = await testApp(t, s3.env)
  const dir = t.testdir()
  const before = Date.now()

  const { statusCode, body } = await upload(app, makeImage(dir, 'photo.jpg', '1200x800'))
  t.equal(statusCode, 200)
  const key = body.filename
  t.same(await s3.keys('incoming'), family(key))
  const incoming = await s3.head('incoming', key)
  t.match(incoming, { ContentType: 'image/jpeg', CacheControl: 'public, max-age=3600' })
  const expires = incoming.Expires?.getTime() ?? 0
  t.ok(expires > before + 7190_000 && expires < Date.now() + 7201_000, 'incoming expires in 2 hours')
  t.ok(s3.requests.filter(r => r.method === 'PUT' && r.path.startsWith('/incoming/')).every(r => r.acl === 'private'), 'incoming is private')
  await s3.download('incoming', key.replace('.jpg', 'MI.jpg'), join(dir, 'mi.jpg'))
  t.match(identify(join(dir, 'mi.jpg')), { format: 'JPEG', width: 400, height: 267 })

  t.same(await publish(app, key), { statusCode: 200, body: { success: true } })
  t.same(await s3.keys('incoming'), [], 'incoming emptied')
  t.same(await s3.keys('active'), family(key))
  const active = await s3.head('active', key.replace('.jpg', 'SI.jpg'))
  t.match(active, { ContentType: 'image/jpeg', CacheControl: 'public, max-age=3600', Expires: undefined })
  const copies = s3.requests.filter(r => r.method === 'PUT' && r.path.startsWith('/active/'))
  t.equal(copies.length, 4)
  t.ok(copies.every(r => r.acl === 'public-read'), 'active is public-read')

  const rotated = await rotate(app, key, 90)
  t.equal(rotated.statusCode, 200)
  t.same(await s3.keys('active'), family(rotated.body.filename), 'new key in, old key out')
  t.equal((await s3.head('active', rotated.body.filename)).ContentType, 'image/jpeg')
  await s3.download('active', rotated.body.filename, join(dir, 'rotated.jpg'))
  t.match(identify(join(dir, 'rotated.jpg')), { width: 800, height: 1200 })

  t.same(await deleteImages(app, [rotated.body.filename, key]), { statusCode: 200, body: { success: true } })
  t.same(await s3.keys('active'), [])
  t.same(await publish(app, key),
    { statusCode: 404, body: 'Unknown image.' })
})

t.test('S3 down: 503 with a clear message; once it is back the same calls finish, nothing lost', async t => {
  const s3 = await startS3(t)
  const { app } = await testApp(t, s3.env)
  const dir = t.testdir()
  const { body: first } = await upload(app, makeImage(dir, 'a.png', '300x200'))
  const { body: second } = await upload(app, makeImage(dir, 'b.gif', '300x200'))
  t.same(await publish(app, second.filename), { statusCode: 200, body: { success: true } })

  await s3.stop()
  const unavailable = { statusCode: 503, body: 'The incoming storage is unavailable. Try again later.' }
  t.same(await publish(app, first.filename), unavailable)
  const upload503 = await upload(app, makeImage(dir, 'c.png', '30x20'))
  t.equal(upload503.statusCode, 503)
  t.same((await rotate(app, second.filename)).statusCode, 503)
  t.same((await deleteImages(app, second.filename)).statusCode, 503)
  for (const route of ['/publish', '/upload', '/rotate', '/delete']) t.equal(await sample(app, `rejected_requests_total{route="${route}",reason="storage_unavailable"}`), 1, route)
  const errors = (await app.serviceMetrics.registry.metrics()).split('\n').filter(line => line.startsWith('storage_errors_total{store="incoming"'))
  t.ok(errors.length > 0, `each failed S3 call counted, by operation: ${errors.join(', ')}`)

  await s3.start()
  t.same(await publish(app, first.filename), { statusCode: 200, body: { success: true } })
  const rotated = await rotate(app, second.filename)
  t.equal(rotated.statusCode, 200, JSON.stringify(rotated.body))
  t.same(await s3.keys('incoming'), [])
  t.same(await s3.keys('active'), [...family(first.filename), ...family(rotated.body.filename)].sort())
  t.same(await deleteImages(app, rotated.body.filename), { statusCode: 200, body: { success: true } })
  t.same(await s3.keys('active'), family(first.filename))
})

t.test('WebP variants on S3 follow a publish into active with their Content-Type', async t => {
  const s3 = await startS3(t)
  const { app } = await testApp(t, { ...s3.env, GENERATE_WEBP: '1', THUMBNAILS_PUBLISH_DELAY: '200' })
  const { body } = await upload(app, makeImage(t.testdir(), 'a.jpg', '800x600'))
  await publish(app, body.filename)
  await app.images.variants.drain(NO_LIMIT_MS)
  const stem = body.filename.replace('.jpg', '')
  t.same(await s3.keys('active'), [...family(body.filename), `${stem}BI.webp`, `${stem}MI.webp`, `${stem}SI.webp`].sort())
  t.same(await s3.keys('incoming'), [], 'variants and marker gone from incoming')
  t.equal((await s3.head('active', `${stem}MI.webp`)).ContentType, 'image/webp')
})

t.test('S3 answering 500: 503 after the SDK\'s retries; once it answers again the same publish finishes', async t => {
  const s3 = await startS3(t)
  const { app } = await testApp(t, s3.env)
  const { body } = await upload(app, makeImage(t.testdir(), 'a.png', '300x200'))
  s3.failWith(500)
  const before = s3.requests.length
  t.same(await publish(app, body.filename), { statusCode: 503, body: 'The incoming storage is unavailable. Try again later.' })
  t.ok(s3.requests.length - before >= 3, 'the SDK tried again before giving up')
  s3.failWith(undefined)
  t.same(await publish(app, body.filename), { statusCode: 200, body: { success: true } })
  t.same(await s3.keys('incoming'), [])
  t.same(await s3.keys('active'), family(body.filename))
})

t.test('a rotate whose writes fail half-way: 503, the old key whole, nothing of the new one; then it succeeds', async t => {
  const s3 = await startS3(t)
  const { app } = await testApp(t, { ...s3.env, GENERATE_WEBP: '1' })
  const { body } = await upload(app, makeImage(t.testdir(), 'a.jpg', '600x400'))
  await publish(app, body.filename)
  await app.images.variants.drain(NO_LIMIT_MS)
  const published = await s3.keys('active')
  // The thumbnails of the new key are written; its original is not.
  const stem = body.filename.replace('.jpg', '')
  s3.failWith(500, request => request.method === 'PUT' && /^\/active\/\d+_\d+\.jpg$/.test(request.path) && !request.path.includes(stem))
  const failed = await rotate(app, body.filename)
  s3.failWith(undefined)
  t.same(failed, { statusCode: 503, body: 'The active storage is unavailable. Try again later.' })
  t.same(await s3.keys('active'), published, 'the old key as it was, nothing of the new one')
  t.same(await s3.keys('incoming'), [], 'no marker owed for a key that was never made')
  const rotated = await rotate(app, body.filename)
  t.equal(rotated.statusCode, 200)
  await app.images.variants.drain(NO_LIMIT_MS)
  t.same((await s3.keys('active')).filter(name => name.startsWith(stem)), [], 'the old key gone')
  t.same((await s3.keys('active')).length, published.length, 'the new key with as many files')
})

t.test('S3 answering 507 (its disks full): the upload gets 507 and leaves nothing; once there is room, 200', async t => {
  const s3 = await startS3(t)
  const { app } = await testApp(t, s3.env)
  const photo = makeImage(t.testdir(), 'a.jpg', '600x400')
  s3.failWith(507, request => request.method === 'PUT')
  const { statusCode, body } = await upload(app, photo)
  t.same([statusCode, body], [507, 'Not enough storage space. Try again later.'])
  t.same(await s3.keys('incoming'), [])
  s3.failWith(undefined)
  t.equal((await upload(app, photo)).statusCode, 200)
})
