import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { sample } from '../prometheus.js'
import { until } from '../until.js'
import { filesIn, identify, makeImage, multipart, publish, rotate, SECRET, testApp, upload, workFiles } from '../helpers.js'

t.test('a 100 MP JPEG uploads and gets its thumbnails', async t => {
  const { app, config } = await testApp(t)
  const dir = t.testdir()
  // Made by extending a small JPEG's canvas with jpegtran: ImageMagick's own limits forbid a 100 MP canvas.
  const huge = join(dir, 'huge.jpg')
  execFileSync('jpegtran', ['-crop', '12000x8400+0+0', '-outfile', huge, makeImage(dir, 'small.jpg', '1200x840')])
  t.match(identify(huge), { width: 12000, height: 8400 })
  const { statusCode, body } = await upload(app, huge)
  t.equal(statusCode, 200)
  const stem = body.filename.replace('.jpg', '')
  t.match(identify(join(config.incomingFolder, `${stem}BI.jpg`)), { width: 1500, height: 1050 })
  t.match(identify(join(config.incomingFolder, `${stem}SI.jpg`)), { width: 200, height: 200 })
  t.same(workFiles(config.tempFolder), [], 'no MAGICK_TMPDIR or work file left')
})

t.test('when IMAGING_QUEUE_LIMIT uploads wait, the next gets 503 with Retry-After at once; once they run, 200', async t => {
  const { app, config } = await testApp(t, { IMAGING_CONCURRENCY: '1', IMAGING_QUEUE_LIMIT: '1' })
  const photo = makeImage(t.testdir(), 'a.jpg', '600x400')
  // Hold the one slot, as a long image command would; the first upload is admitted and waits.
  let release: () => void = () => {}
  const held = app.imaging.queue.run(async () => await new Promise<void>(resolve => { release = resolve }))
  const waiting = upload(app, photo)
  await until(() => app.images.admission.waiting === 1, 'one upload waiting for the queue')
  const turnedAway = await app.inject({ method: 'POST', url: '/upload', ...multipart([{ name: 'file', value: readFileSync(photo), filename: 'a.jpg' }]) })
  t.equal(turnedAway.statusCode, 503)
  t.equal(turnedAway.headers['retry-after'], '1')
  t.same(turnedAway.body, 'Too many images in progress. Try again shortly.')
  release()
  await held
  t.equal((await waiting).statusCode, 200)
  t.equal((await upload(app, photo)).statusCode, 200)
  t.equal(filesIn(config.incomingFolder).length, 8)
  t.same(workFiles(config.tempFolder), [])
})

t.test('a rotate is admitted like an upload: when the waiting room is full, 503 with Retry-After, and the image is untouched', async t => {
  const { app, config } = await testApp(t, { IMAGING_CONCURRENCY: '1', IMAGING_QUEUE_LIMIT: '1' })
  const photo = makeImage(t.testdir(), 'a.jpg', '600x400')
  const { body } = await upload(app, photo)
  t.equal((await publish(app, body.filename)).statusCode, 200)
  let release: () => void = () => {}
  const held = app.imaging.queue.run(async () => await new Promise<void>(resolve => { release = resolve }))
  const waiting = upload(app, photo)
  await until(() => app.images.admission.waiting === 1, 'one upload waiting for the queue')
  const refused = await app.inject({ method: 'POST', url: '/rotate', payload: { secret: SECRET, filename: body.filename } })
  t.same([refused.statusCode, refused.headers['retry-after']], [503, '1'])
  release()
  await Promise.all([held, waiting])
  t.ok(filesIn(config.activeFolder).includes(body.filename), 'the original is still there')
  t.equal((await rotate(app, body.filename)).statusCode, 200)
})

t.test('a burst of 120 uploads with IMAGING_QUEUE_LIMIT=8: never more than 8 wait, the rest get 503 with Retry-After', async t => {
  const { app, config } = await testApp(t, { IMAGING_QUEUE_LIMIT: '8' })
  const photo = makeImage(t.testdir(), 'a.png', '300x200')
  const answers = await Promise.all(Array.from({ length: 120 }, async () =>
    await app.inject({ method: 'POST', url: '/upload', ...multipart([{ name: 'file', value: readFileSync(photo), filename: 'a.png' }]) })))
  const accepted = answers.filter(answer => answer.statusCode === 200)
  const refused = answers.filter(answer => answer.statusCode === 503)
  t.equal(accepted.length + refused.length, 120, 'every answer is 200 or 503')
  t.ok(refused.length > 0, `${refused.length} turned away`)
  t.ok(refused.every(answer => Number(answer.headers['retry-after']) >= 1), 'each 503 says when to come back')
  t.equal(await sample(app, 'rejected_requests_total{route="/upload",reason="queue_full"}'), refused.length, 'each counted')
  t.ok(app.images.admission.peak <= 8, `at most 8 waited (peak ${app.images.admission.peak})`)
  t.equal(app.images.admission.waiting, 0)
  t.equal(filesIn(config.incomingFolder).length, 4 * accepted.length, 'each accepted upload whole, nothing of the refused')
})
