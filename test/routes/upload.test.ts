import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { filesIn, identify, makeImage, multipart, testApp, upload, withOrientation, workFiles } from '../helpers.js'

const KEY = /^\d{10}_\d{10}\.(jpg|png|gif|svg)$/

t.test('a JPEG is stored in incoming with its three thumbnails, upright', async t => {
  const { app, config } = await testApp(t)
  const dir = t.testdir()
  // 3000x2000 stored sideways: EXIF orientation 6 shows it as 2000x3000.
  const photo = withOrientation(makeImage(dir, 'p.jpg', '3000x2000'), 6, join(dir, 'photo.jpg'))
  const { statusCode, body } = await upload(app, photo)
  t.equal(statusCode, 200)
  t.equal(body.success, true)
  t.match(body.filename, KEY)
  t.match(body.filename, /\.jpg$/)
  const stem = body.filename.replace('.jpg', '')
  t.same(filesIn(config.incomingFolder), [`${stem}.jpg`, `${stem}BI.jpg`, `${stem}MI.jpg`, `${stem}SI.jpg`].sort())
  const file = (name: string): string => join(config.incomingFolder, name)
  t.match(identify(file(`${stem}BI.jpg`)), { format: 'JPEG', width: 1000, height: 1500 })
  t.match(identify(file(`${stem}MI.jpg`)), { format: 'JPEG', width: 267, height: 400 })
  t.match(identify(file(`${stem}SI.jpg`)), { format: 'JPEG', width: 200, height: 200 })
  t.match(identify(file(`${stem}.jpg`)), { width: 3000, height: 2000, orientation: 'RightTop' }, 'original left as sent')
  t.same(readFileSync(file(`${stem}.jpg`)), readFileSync(photo))
  t.same(workFiles(config.tempFolder), [], 'temp folder empty')
})

t.test('AUTO_ORIENT_ORIGINAL=1 turns the stored JPEG original upright', async t => {
  const { app, config } = await testApp(t, { AUTO_ORIENT_ORIGINAL: '1' })
  const dir = t.testdir()
  const photo = withOrientation(makeImage(dir, 'p.jpg', '320x160'), 8, join(dir, 'photo.jpg'))
  const { body } = await upload(app, photo)
  t.match(identify(join(config.incomingFolder, body.filename)), { width: 160, height: 320, orientation: 'TopLeft' })
  t.match(identify(join(config.incomingFolder, body.filename.replace('.jpg', 'MI.jpg'))), { width: 160, height: 320 })
})

t.test('small images are not enlarged; PNG stays PNG', async t => {
  const { app, config } = await testApp(t)
  const dir = t.testdir()
  const { body } = await upload(app, makeImage(dir, 'a.png', '300x100'), 'blob', 'image/jpeg')
  t.match(body.filename, /\.png$/, 'format from the bytes, not the name or type')
  const stem = body.filename.replace('.png', '')
  t.match(identify(join(config.incomingFolder, `${stem}BI.png`)), { format: 'PNG', width: 300, height: 100 })
  t.match(identify(join(config.incomingFolder, `${stem}SI.png`)), { format: 'PNG', width: 200, height: 200 })
})

t.test('an animated GIF keeps every frame, each made whole', async t => {
  const { app, config } = await testApp(t)
  const dir = t.testdir()
  // Frames 2 and 3 cover only a corner: a thumbnail that did not coalesce would shrink them alone.
  const gif = join(dir, 'anim.gif')
  makeImage(dir, 'base.gif', '600x400')
  execFileSync('convert', ['-delay', '10', join(dir, 'base.gif'), '-page', '+0+0', '(', '-size', '100x100', 'xc:yellow', ')',
    '-page', '+500+300', '(', '-size', '100x100', 'xc:green', ')', '-loop', '0', gif])
  t.equal(identify(gif).frames, 3)
  const { body } = await upload(app, gif, 'anim.gif', 'image/gif')
  const thumbnail = join(config.incomingFolder, body.filename.replace('.gif', 'MI.gif'))
  const info = identify(thumbnail)
  t.match(info, { format: 'GIF', width: 400, height: 267, frames: 3 })
  // The last frame, flattened over the ones before, must still be the whole picture, green corner and all.
  const lastFrame = join(dir, 'last.png')
  execFileSync('convert', [thumbnail, '-coalesce', '-delete', '0--2', lastFrame])
  t.match(pixel(lastFrame, 395, 262), /green|\(0,12\d,0\)/, 'green corner of the last frame')
  t.match(pixel(lastFrame, 5, 5), /yellow|\(25\d,25\d,0\)/, 'yellow corner kept from the frame before')
})

t.test('an SVG is kept as sent; its thumbnails are JPEG on white', async t => {
  const { app, config } = await testApp(t)
  const dir = t.testdir({ 'logo.svg': '<svg xmlns="http://www.w3.org/2000/svg" width="800" height="400"><circle cx="400" cy="200" r="100" fill="red"/></svg>' })
  const { statusCode, body } = await upload(app, join(dir, 'logo.svg'), 'logo.svg', 'image/svg+xml')
  t.equal(statusCode, 200)
  t.match(body.filename, /\.svg$/)
  const stem = body.filename.replace('.svg', '')
  t.same(readFileSync(join(config.incomingFolder, body.filename)), readFileSync(join(dir, 'logo.svg')))
  t.match(identify(join(config.incomingFolder, `${stem}MI.jpg`)), { format: 'JPEG', width: 400, height: 200 })
  t.match(pixel(join(config.incomingFolder, `${stem}MI.jpg`), 2, 2), /white|\(25[0-5],25[0-5],25[0-5]\)/, 'transparent parts are white')
  t.match(pixel(join(config.incomingFolder, `${stem}MI.jpg`), 200, 100), /red|\(2[45]\d,[0-9],[0-9]\)/, 'the drawing is there')
  t.same(filesIn(config.incomingFolder).filter(name => name.startsWith(stem)).length, 4)
})

function pixel (path: string, x: number, y: number): string {
  return execFileSync('convert', [path, '-format', `%[pixel:p{${x},${y}}]`, 'info:']).toString()
}

t.test('anything but JPEG, PNG, GIF, SVG, HEIC, AVIF or WebP gets 400 and leaves nothing behind', async t => {
  const { app, config } = await testApp(t)
  const dir = t.testdir({ 'notes.jpg': 'just text', 'empty.jpg': '' })
  t.equal(identify(makeImage(dir, 'scan.jpg', '40x40', { coder: 'tiff' })).format, 'TIFF', 'a TIFF named .jpg')
  t.equal(identify(makeImage(dir, 'paint.png', '40x40', { coder: 'bmp' })).format, 'BMP', 'a BMP named .png')
  for (const name of ['notes.jpg', 'empty.jpg', 'scan.jpg', 'paint.png']) {
    const { statusCode, body } = await upload(app, join(dir, name))
    t.equal(statusCode, 400, name)
    t.same(body, 'Unsupported image format.', name)
  }
  t.same(filesIn(config.incomingFolder), [])
  t.same(workFiles(config.tempFolder), [])
})

t.test('no file part gets 400 asking for { file }', async t => {
  const { app } = await testApp(t)
  const expected = 'Missing parameters. Expected values are { file }'
  const other = multipart([{ name: 'image', value: 'x', filename: 'a.jpg' }])
  const fieldsOnly = multipart([{ name: 'file', value: 'not a file part' }])
  for (const request of [other, fieldsOnly]) {
    const response = await app.inject({ method: 'POST', url: '/upload', ...request })
    t.equal(response.statusCode, 400)
    t.same(response.body, expected)
  }
  const json = await app.inject({ method: 'POST', url: '/upload', payload: { file: 'x' } })
  t.equal(json.statusCode, 400)
  t.same(json.body, expected)
})

t.test('a file over MAX_UPLOAD_SIZE gets 413 and is not kept', async t => {
  const { app, config } = await testApp(t, { MAX_UPLOAD_SIZE: '1000' })
  const dir = t.testdir()
  const big = makeImage(dir, 'big.png', '300x300', { args: ['-seed', '2', 'plasma:', '-composite'] })
  const { statusCode, body } = await upload(app, big)
  t.same([statusCode, body], [413, 'File too large.'])
  t.same(filesIn(config.incomingFolder), [])
  t.same(workFiles(config.tempFolder), [])
})
