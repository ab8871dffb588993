import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { filesIn, identify, makeImage, postJson, publish, rotate, SECRET, testApp, upload, withOrientation } from '../helpers.js'

/** Uploads the file at `path` and publishes it: its key. */
async function published (app: FastifyInstance, path: string): Promise<string> {
  const { body } = await upload(app, path)
  await publish(app, body.filename)
  return body.filename
}

const photo = (dir: string, name = 'photo.jpg', size = '640x320'): string =>
  makeImage(dir, name, size, { args: ['-seed', '4', 'plasma:', '-compose', 'over', '-composite', '-quality', '88'] })

t.test('rotate turns a JPEG clockwise, losslessly, under a new key', async t => {
  const { app, config } = await testApp(t)
  const dir = t.testdir()
  const original = photo(dir)
  const key = await published(app, original)
  const { statusCode, body } = await rotate(app, key)
  t.equal(statusCode, 200)
  t.equal(body.success, true)
  t.match(body.filename, /^\d{10}_\d{10}\.jpg$/)
  t.not(body.filename, key)
  const stem = body.filename.replace('.jpg', '')
  t.same(filesIn(config.activeFolder), [`${stem}.jpg`, `${stem}BI.jpg`, `${stem}MI.jpg`, `${stem}SI.jpg`].sort(), 'old key and thumbnails gone')
  const rotated = join(config.activeFolder, body.filename)
  t.match(identify(rotated), { width: 320, height: 640 })
  t.match(identify(join(config.activeFolder, `${stem}MI.jpg`)), { width: 200, height: 400 })
  // Turning it back with jpegtran gives the uploaded pixels exactly: no re-encode happened.
  const back = join(dir, 'back.jpg')
  execFileSync('jpegtran', ['-perfect', '-rotate', '270', '-outfile', back, rotated])
  t.equal(execFileSync('compare', ['-metric', 'AE', back, original, 'null:'], { stdio: 'pipe' }).toString(), '')
})

t.test('-90 and 180, PNG and GIF, and EXIF orientation taken into account', async t => {
  const { app, config } = await testApp(t)
  const dir = t.testdir()
  const png = await published(app, makeImage(dir, 'a.png', '300x100'))
  const left = await rotate(app, png, -90)
  t.match(identify(join(config.activeFolder, left.body.filename)), { format: 'PNG', width: 100, height: 300 })

  const gif = await published(app, makeImage(dir, 'a.gif', '300x100'))
  const down = await rotate(app, gif, 180)
  t.match(identify(join(config.activeFolder, down.body.filename)), { format: 'GIF', width: 300, height: 100 })

  // Shown as 320x640 because of its EXIF tag; turned 90° more it shows, and is, 640x320.
  const sideways = await published(app, withOrientation(photo(dir), 6, join(dir, 'sideways.jpg')))
  const form = await app.inject({
    method: 'POST',
    url: '/rotate',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: `secret=${SECRET}&filename=${sideways}&rotation=90`
  })
  t.equal(form.statusCode, 200, 'rotation as form text')
  t.match(identify(join(config.activeFolder, form.json().filename)), { width: 640, height: 320, orientation: 'TopLeft' })
})

t.test('rotate refuses SVG, other angles, and keys not in active', async t => {
  const { app, config } = await testApp(t)
  const dir = t.testdir({ 'a.svg': '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"/>' })
  const svg = await published(app, join(dir, 'a.svg'))
  t.same(await rotate(app, svg),
    { statusCode: 400, body: 'SVG images rotation is not supported.' })
  const png = await published(app, makeImage(dir, 'a.png', '30x10'))
  for (const rotation of [45, 270, '90deg', 0]) {
    const { statusCode, body } = await postJson(app, '/rotate', { secret: SECRET, filename: png, rotation })
    t.equal(statusCode, 400, String(rotation))
    t.same(body, `Bad parameter rotation: Invalid enum value. Expected '-90' | '90' | '180', received '${rotation}'.`)
  }
  for (const rotation of [[90], { 90: 90 }, true]) {
    t.same(await postJson(app, '/rotate', { secret: SECRET, filename: png, rotation }), { statusCode: 400, body: 'Bad parameter rotation: Invalid input.' }, JSON.stringify(rotation))
  }
  const { body: uploaded } = await upload(app, makeImage(dir, 'b.png', '30x10'))
  t.same(await rotate(app, uploaded.filename),
    { statusCode: 404, body: 'Not found' }, 'only in incoming')
  t.equal(filesIn(config.activeFolder).length, 8, 'nothing removed')
})
