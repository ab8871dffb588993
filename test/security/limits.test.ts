import t from 'tap'
import { filesIn, makeImage, postJson, SECRET, testApp, upload, workFiles } from '../helpers.js'
import { peakRss, treeRss } from '../process-tree.js'
import { answerBeforeBody } from '../unsent-body.js'
import { lyingJpeg, manyFramesGif, pngBomb } from './hostile-files.js'

/** Uploads `path`, sampling the memory of this process and its children meanwhile. How long it takes is the benchmark's business. */
async function measuredUpload (app: Parameters<typeof upload>[0], path: string): Promise<{ statusCode: number, body: any, grewMb: number }> {
  const before = treeRss(process.pid)
  const peak = peakRss(process.pid)
  const result = await upload(app, path)
  return { ...result, grewMb: (peak() - before) / 1024 / 1024 }
}

t.test('a PNG declaring 12000×12000 with a tiny zlib stream is refused from its header, memory flat', async t => {
  const { app, config } = await testApp(t)
  const bomb = pngBomb(t.testdir(), 12000, 12000)
  const { statusCode, body, grewMb } = await measuredUpload(app, bomb)
  t.equal(statusCode, 400)
  t.same(body, 'Image data too short for its 12000×12000 px header.')
  t.ok(grewMb < 100, `memory grew ${grewMb.toFixed(0)} MB`)
  t.same(filesIn(config.incomingFolder), [])
  t.same(workFiles(config.tempFolder), [])
})

t.test('past 16384 px a side is refused with the size, whatever the format', async t => {
  const { app } = await testApp(t)
  const dir = t.testdir()
  for (const path of [pngBomb(dir, 20000, 100), lyingJpeg(dir, 100, 20000), manyFramesGif(dir, 30000, 10, 2)]) {
    const { statusCode, body } = await upload(app, path)
    t.equal(statusCode, 400, path)
    t.match(body, /^Image too large: \d+×\d+ px.*, over 16384 px a side\.$/)
  }
})

t.test('a JPEG whose SOF claims 12000×12000 over 2 KB of data answers 4xx, memory flat', async t => {
  const { app, config } = await testApp(t)
  const { statusCode, body, grewMb } = await measuredUpload(app, lyingJpeg(t.testdir(), 12000, 12000))
  t.equal(statusCode, 400)
  t.equal(body, 'Image data too short for its 12000×12000 px header.')
  t.ok(grewMb < 300, `memory grew ${grewMb.toFixed(0)} MB`)
  t.same(filesIn(config.incomingFolder), [])
})

t.test('MAX_IMAGE_PIXELS counts every frame of an animation, on its whole canvas', async t => {
  const { app } = await testApp(t)
  const { statusCode, body } = await measuredUpload(app, manyFramesGif(t.testdir(), 800, 700, 300))
  t.equal(statusCode, 400)
  t.same(body, 'Image too large: 800×700 px × 300 frames, over 150000000 pixels.')

  const { app: strict } = await testApp(t, { MAX_IMAGE_PIXELS: '10000' })
  const dir = t.testdir()
  t.match(await upload(strict, makeImage(dir, 'a.png', '200x100')), { statusCode: 400, body: 'Image too large: 200×100 px, over 10000 pixels.' })
  t.match(await upload(strict, makeImage(dir, 'b.png', '100x100')), { statusCode: 200 })
})

t.test('the protected routes cap their bodies and the number of filenames', async t => {
  const { app } = await testApp(t)
  const filenames = Array.from({ length: 5000 }, (_, i) => `1732790000_${String(i).padStart(10, '0')}.jpg`)
  const huge = await postJson(app, '/delete', { secret: SECRET, filenames })
  t.equal(huge.statusCode, 413, 'a body of 5000 filenames')
  t.equal(huge.body, 'Request body is too large')
  const many = await postJson(app, '/delete', { secret: SECRET, filenames: filenames.slice(0, 101) })
  t.equal(many.statusCode, 400, '101 filenames')
  t.equal(many.body, 'Bad parameter filenames: Invalid input.')
  t.equal((await postJson(app, '/delete', { secret: SECRET, filenames: filenames.slice(0, 100) })).statusCode, 200, '100 are fine')
  const form = await app.inject({
    method: 'POST',
    url: '/delete',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: `secret=${SECRET}&${filenames.map(name => `filenames=${name}`).join('&')}`
  })
  t.equal(form.statusCode, 413, 'as a form too')
})

t.test('an upload announced over MAX_UPLOAD_SIZE gets 413 before its body is sent', async t => {
  const { app, config } = await testApp(t)
  // Headers for 200 MB, then only the start of the multipart body: the rest never comes.
  const answer = await answerBeforeBody(app, 'POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 200000000\r\n\r\n',
    '--b\r\nContent-Disposition: form-data; name="file"; filename="big.jpg"\r\n\r\n')
  t.match(answer, /^HTTP\/1\.1 413 /)
  t.match(answer, /\r\n\r\nFile too large\.$/)
  t.same(workFiles(config.tempFolder), [], 'nothing written')
})
