import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { filesIn, identify, makeImage, multipart, testApp, upload, workFiles } from '../helpers.js'

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

t.test('when the queue is full, an upload gets 503 with Retry-After at once; once it drains, 200', async t => {
  const { app, config } = await testApp(t, { IMAGING_CONCURRENCY: '1', IMAGING_QUEUE_LIMIT: '1' })
  const photo = makeImage(t.testdir(), 'a.jpg', '600x400')
  // Hold the one slot and one waiting place, as two long image commands would.
  let release: () => void = () => {}
  const held = new Promise<void>(resolve => { release = resolve })
  const busy = [app.imaging.queue.run(async () => await held), app.imaging.queue.run(async () => await held)]
  const turnedAway = await app.inject({ method: 'POST', url: '/upload', ...multipart([{ name: 'file', value: readFileSync(photo), filename: 'a.jpg' }]) })
  t.equal(turnedAway.statusCode, 503)
  t.equal(turnedAway.headers['retry-after'], '1')
  t.same(turnedAway.json(), { success: false, message: 'Too many images in progress. Try again shortly.' })
  t.same(filesIn(config.incomingFolder), [])
  release()
  await Promise.all(busy)
  t.equal((await upload(app, photo)).statusCode, 200)
  t.equal(filesIn(config.incomingFolder).length, 4)
  t.same(workFiles(config.tempFolder), [])
})
