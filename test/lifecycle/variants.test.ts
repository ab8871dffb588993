import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { deleteImages, filesIn, identify, makeImage, NO_LIMIT_MS, publish, rotate, testApp, upload, workFiles } from '../helpers.js'
import { until } from '../until.js'

const ON = { GENERATE_WEBP: '1', GENERATE_AVIF: '1', THUMBNAILS_PUBLISH_DELAY: '300' }

/** The container a file really is, from its bytes. */
function container (path: string): string {
  const head = readFileSync(path).subarray(0, 12)
  if (head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') return 'webp'
  if (head.toString('latin1', 4, 12) === 'ftypavif') return 'avif'
  return 'other'
}

const variants = (key: string, suffixes = ['BI', 'MI', 'SI']): string[] => {
  const stem = key.slice(0, key.lastIndexOf('.'))
  return ['webp', 'avif'].flatMap(ext => suffixes.map(suffix => `${stem}${suffix}.${ext}`))
}

t.test('WebP and AVIF are made after the answer, at every size, really in those formats', async t => {
  const { app, config } = await testApp(t, ON)
  const { body } = await upload(app, makeImage(t.testdir(), 'photo.jpg', '1200x800'))
  t.ok(existsSync(join(config.incomingFolder, `pending-${body.filename}`)), 'owed variants are on record when the upload answers')
  t.equal(await app.images.variants.drain(NO_LIMIT_MS), true)
  const stem = body.filename.replace('.jpg', '')
  for (const name of variants(body.filename)) {
    const path = join(config.incomingFolder, name)
    t.equal(container(path), name.slice(-4), name)
  }
  t.match(identify(join(config.incomingFolder, `${stem}BI.webp`)), { width: 1200, height: 800 })
  t.match(identify(join(config.incomingFolder, `${stem}MI.avif`)), { width: 400, height: 267 })
  t.match(identify(join(config.incomingFolder, `${stem}SI.webp`)), { width: 200, height: 200 })
  t.notOk(existsSync(join(config.incomingFolder, `pending-${body.filename}`)), 'the record goes once they exist')
  t.same(workFiles(config.tempFolder), [], 'no work files left')
})

t.test('an SVG\'s variants are <stem><suffix>.webp and .avif, never a second .jpg', async t => {
  const { app, config } = await testApp(t, { GENERATE_WEBP: '1' })
  const dir = t.testdir({ 'a.svg': '<svg xmlns="http://www.w3.org/2000/svg" width="600" height="300"><rect width="300" height="300" fill="blue"/></svg>' })
  const { body } = await upload(app, join(dir, 'a.svg'), 'a.svg', 'image/svg+xml')
  await app.images.variants.drain(NO_LIMIT_MS)
  const stem = body.filename.replace('.svg', '')
  t.same(filesIn(config.incomingFolder), [`${stem}.svg`, `${stem}BI.jpg`, `${stem}BI.webp`, `${stem}MI.jpg`, `${stem}MI.webp`, `${stem}SI.jpg`, `${stem}SI.webp`])
  t.equal(container(join(config.incomingFolder, `${stem}SI.webp`)), 'webp')
})

t.test('an animated GIF keeps its frames in WebP', async t => {
  const { app, config } = await testApp(t, { GENERATE_WEBP: '1' })
  const gif = makeImage(t.testdir(), 'a.gif', '300x200', { args: ['(', '-size', '300x200', 'xc:green', ')', '(', '-size', '300x200', 'xc:yellow', ')'] })
  const { body } = await upload(app, gif, 'a.gif', 'image/gif')
  await app.images.variants.drain(NO_LIMIT_MS)
  t.match(identify(join(config.incomingFolder, body.filename.replace('.gif', 'MI.webp'))), { format: 'WEBP', frames: 3 })
})

t.test('a publish right after upload ends with every variant in active', async t => {
  const { app, config } = await testApp(t, ON)
  const dir = t.testdir()
  const keys: string[] = []
  for (const name of ['a.jpg', 'b.png']) {
    const { body } = await upload(app, makeImage(dir, name, '1600x1000'))
    t.same(await publish(app, body.filename), { statusCode: 200, body: { success: true } })
    keys.push(body.filename)
  }
  await app.images.variants.drain(NO_LIMIT_MS)
  for (const key of keys) {
    for (const name of variants(key)) t.ok(existsSync(join(config.activeFolder, name)), name)
  }
  t.same(filesIn(config.incomingFolder), [], 'nothing left behind, no marker')
})

t.test('a variant lost from incoming is made again from the published image', async t => {
  const { app, config } = await testApp(t, ON)
  const { body } = await upload(app, makeImage(t.testdir(), 'a.jpg', '900x600'))
  await app.images.variants.drain(NO_LIMIT_MS)
  const lost = body.filename.replace('.jpg', 'MI.avif')
  rmSync(join(config.incomingFolder, lost))
  await publish(app, body.filename)
  t.notOk(existsSync(join(config.activeFolder, lost)), 'missing right after the publish')
  const marker = join(config.incomingFolder, `pending-${body.filename}`)
  t.ok(existsSync(marker), 'owed, on record')
  // THUMBNAILS_PUBLISH_DELAY later, the job makes it again, then the record goes.
  await until(() => !existsSync(marker), 'the marker to go')
  await app.images.variants.drain(NO_LIMIT_MS)
  t.equal(container(join(config.activeFolder, lost)), 'avif')
  t.match(identify(join(config.activeFolder, lost)), { width: 400, height: 267 })
  t.same(filesIn(config.incomingFolder), [])
})

t.test('owed variants are taken up once their marker is a lease old, after a restart, from the largest thumbnail', async t => {
  const first = await testApp(t)
  const { body } = await upload(first.app, makeImage(t.testdir(), 'a.png', '500x500'))
  await publish(first.app, body.filename)
  // As if the process had died with the job owed: only the marker says so.
  writeFileSync(join(first.config.incomingFolder, `pending-${body.filename}`), '')
  await first.app.close()
  // Made from the BI thumbnail, not the original: an original that would not decode shows it.
  writeFileSync(join(first.config.activeFolder, body.filename), 'the original is not read')
  const { app } = await testApp(t, {
    ...ON,
    WORK_LEASE: '500',
    TEMP_FOLDER: first.config.tempFolder,
    INCOMING_FOLDER: first.config.incomingFolder,
    ACTIVE_FOLDER: first.config.activeFolder
  })
  await app.ready()
  await until(() => filesIn(first.config.incomingFolder).length === 0, 'an empty incoming')
  await app.images.variants.drain(NO_LIMIT_MS)
  for (const name of variants(body.filename)) t.ok(existsSync(join(first.config.activeFolder, name)), name)
  const mi = join(first.config.activeFolder, body.filename.replace('.png', 'MI.avif'))
  t.equal(container(mi), 'avif')
  t.match(identify(mi), { width: 400, height: 400 })
  t.same(filesIn(first.config.incomingFolder), [])
})

t.test('rotate makes the new key\'s variants; delete removes them', async t => {
  const { app, config } = await testApp(t, ON)
  const { body } = await upload(app, makeImage(t.testdir(), 'a.jpg', '800x400'))
  await publish(app, body.filename)
  await app.images.variants.drain(NO_LIMIT_MS)
  const { body: rotated } = await rotate(app, body.filename)
  await app.images.variants.drain(NO_LIMIT_MS)
  const stem = rotated.filename.replace('.jpg', '')
  t.same(filesIn(config.activeFolder), [rotated.filename, `${stem}BI.jpg`, `${stem}MI.jpg`, `${stem}SI.jpg`, ...variants(rotated.filename)].sort())
  t.match(identify(join(config.activeFolder, `${stem}MI.webp`)), { width: 200, height: 400 })
  await deleteImages(app, rotated.filename)
  t.same(filesIn(config.activeFolder), [])
})

t.test('this ImageMagick writes both extra formats', async t => {
  const { app } = await testApp(t)
  t.same(await app.imaging.writableExtraFormats(), ['webp', 'avif'])
})

t.test('a job that fails is counted and stays owed', async t => {
  const first = await testApp(t)
  const { body } = await upload(first.app, makeImage(t.testdir(), 'a.png', '300x300'))
  await publish(first.app, body.filename)
  await first.app.close()
  // The stored original went bad, its thumbnails are lost, and its variants are owed.
  writeFileSync(join(first.config.activeFolder, body.filename), 'not a PNG any more')
  for (const suffix of ['BI', 'MI', 'SI']) rmSync(join(first.config.activeFolder, body.filename.replace('.png', `${suffix}.png`)))
  writeFileSync(join(first.config.incomingFolder, `pending-${body.filename}`), '')
  const { app } = await testApp(t, { ...ON, WORK_LEASE: '500', TEMP_FOLDER: first.config.tempFolder, INCOMING_FOLDER: first.config.incomingFolder, ACTIVE_FOLDER: first.config.activeFolder })
  await app.ready()
  await until(async () => ((await app.serviceMetrics.publishedThumbnailsError.get()).values[0]?.value ?? 0) >= 1, 'a failed variant job counted')
  t.pass('counted')
  t.ok(existsSync(join(first.config.incomingFolder, `pending-${body.filename}`)), 'still owed')
})
