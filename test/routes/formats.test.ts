import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { gridHeic } from '../heif-grid.js'
import { withRotation } from '../heif-rotation.js'
import { DISPLAY_P3, matrixProfile } from '../icc.js'
import { filesIn, identify, magick, makeImage, testApp, testRunner, upload, workFiles } from '../helpers.js'
import { browserColour, colourDistance, colourInfo, meanColour } from '../pixels.js'

const CAMERA = ['-Make=Canon', '-Model=EOS R6', '-ExposureTime=1/250', '-FNumber=2.8', '-ISO=400', '-DateTimeOriginal=2024:05:06 07:08:09']

/** The EXIF tags the site reads, as exiftool prints them. */
function exif (path: string): Record<string, unknown> {
  const [tags] = JSON.parse(execFileSync('exiftool', ['-json', '-n', '-Make', '-Model', '-ExposureTime', '-FNumber', '-ISO', '-DateTimeOriginal', '-Orientation', path]).toString())
  delete tags.SourceFile
  return tags
}

/** How close `b` is to `a` after `steps`, in dB. */
function psnr (a: string, b: string, steps: string[]): number {
  try {
    execFileSync('compare', ['-metric', 'PSNR', '(', a, ...steps, ')', b, 'null:'], { stdio: 'pipe' })
    return Infinity
  } catch (error) {
    return Number((error as { stderr: Buffer }).stderr.toString())
  }
}

/**
 * A camera's photo, 600×400 of detail, Display P3, with the camera's EXIF and Orientation 6:
 * the JPEG it would be, and the same as HEIC and AVIF (libheif's heif-enc, which keeps the EXIF and
 * the profile, as an iPhone's file has them) and WebP (ImageMagick, which keeps them too).
 */
function photos (dir: string): Record<'jpg' | 'heic' | 'avif' | 'webp', string> {
  const jpeg = join(dir, 'camera.jpg')
  magick('-size', '600x400', '-seed', '9', 'plasma:', '-blur', '0x1.5', '-profile', matrixProfile(join(dir, 'p3.icc'), 'Display P3 (test)', DISPLAY_P3), '-quality', '95', jpeg)
  execFileSync('exiftool', ['-q', '-overwrite_original', ...CAMERA, '-Orientation#=6', jpeg])
  execFileSync('heif-enc', ['-q', '80', jpeg, '-o', join(dir, 'camera.heic')])
  execFileSync('heif-enc', ['-A', '-q', '80', jpeg, '-o', join(dir, 'camera.avif')])
  magick(jpeg, '-quality', '85', join(dir, 'camera.webp'))
  return { jpg: jpeg, heic: join(dir, 'camera.heic'), avif: join(dir, 'camera.avif'), webp: join(dir, 'camera.webp') }
}

t.test('HEIC, AVIF and WebP are stored as a JPEG original with their EXIF and profile, upright, and thumbnailed', async t => {
  const { app, config } = await testApp(t)
  const dir = t.testdir()
  const made = photos(dir)
  const sent = exif(made.jpg)
  // HEIF readers take a HEIC's or AVIF's turn from its container, not its EXIF, which says 6 here
  // without a rotation property: shown as stored. A WebP's EXIF turns it, as browsers do.
  const shown = { heic: [600, 400], avif: [600, 400], webp: [400, 600] }
  for (const format of ['heic', 'avif', 'webp'] as const) {
    const { statusCode, body } = await upload(app, made[format], `photo.${format}`, `image/${format}`)
    t.equal(statusCode, 200, format)
    t.match(body.filename, /^\d{10}_\d{10}\.jpg$/, `${format}: stored under a JPEG key`)
    const original = join(config.incomingFolder, body.filename)
    const [width, height] = shown[format]
    t.match(identify(original), { format: 'JPEG', width, height }, `${format}: a JPEG, upright`)
    t.same(exif(original), { ...sent, Orientation: 1 }, `${format}: camera, exposure and date kept; marked upright`)
    t.equal(colourInfo(original).profile, 'Display P3 (test)', `${format}: the profile kept`)
    t.equal(execFileSync('identify', ['-format', '%Q', original]).toString(), '92', `${format}: quality 92`)
    // Not visibly worse: against the pixels the sent file decodes to.
    const decoded = join(dir, `${format}-decoded.png`)
    if (format === 'webp') magick(made[format], decoded)
    else execFileSync('heif-convert', ['--quiet', made[format], decoded])
    t.ok(psnr(decoded, original, format === 'webp' ? ['-rotate', '90'] : []) >= 40, `${format}: ${psnr(decoded, original, format === 'webp' ? ['-rotate', '90'] : [])} dB against the decoded file`)
    const thumbnails = filesIn(config.incomingFolder).filter(name => name !== body.filename && name.startsWith(body.filename.replace('.jpg', '')))
    t.same(thumbnails.map(name => [identify(join(config.incomingFolder, name)).width, identify(join(config.incomingFolder, name)).height]), [[width, height], [width, height].map(side => Math.round(side * 400 / Math.max(width, height))), [200, 200]], `${format}: thumbnails upright`)
    t.ok(colourDistance(meanColour(join(config.incomingFolder, thumbnails[0])), browserColour(original)) <= 3, `${format}: the thumbnail's colours are the photo's, in sRGB`)
  }
  t.same(workFiles(config.tempFolder), [])
})

t.test('a HEIC taken sideways is turned by its rotation property once, whatever its EXIF says', async t => {
  const { app, config } = await testApp(t)
  const dir = t.testdir()
  // Red at the top, blue at the bottom; stored with a quarter turn anticlockwise to show, and EXIF
  // Orientation 6, as an iPhone writes both.
  const jpeg = makeImage(dir, 'sideways.jpg', '300x200', { args: ['-quality', '95'] })
  execFileSync('exiftool', ['-q', '-overwrite_original', ...CAMERA, '-Orientation#=6', jpeg])
  execFileSync('heif-enc', ['-q', '90', jpeg, '-o', join(dir, 'sideways.heic')])
  writeFileSync(join(dir, 'turned.heic'), withRotation(readFileSync(join(dir, 'sideways.heic')), 1))
  const { statusCode, body } = await upload(app, join(dir, 'turned.heic'))
  t.equal(statusCode, 200)
  const original = join(config.incomingFolder, body.filename)
  t.match(identify(original), { format: 'JPEG', width: 200, height: 300 }, 'turned once')
  t.equal(exif(original).Orientation, 1, 'and marked upright')
  const [left, right] = ['0,150', '199,150'].map(at => meanColour(original, ['-crop', `1x1+${at.replace(',', '+')}`]))
  t.ok(colourDistance(left, [255, 0, 0]) <= 12 && colourDistance(right, [0, 0, 255]) <= 12, `the top is on the left: ${left.join(',')} | ${right.join(',')}`)
})

t.test('a HEIC in 512 px tiles, as an iPhone writes it, is stored whole', async t => {
  const { app, config } = await testApp(t)
  const dir = t.testdir()
  const jpeg = join(dir, 'photo.jpg')
  magick('-size', '1100x700', '-seed', '4', 'plasma:', '-blur', '0x1.5', '-quality', '95', jpeg)
  // 3 × 2 tiles of 512 px cover 1536×1024; the grid shows the 1100×700 of it the photo is.
  mkdirSync(join(dir, 'tiles'))
  await gridHeic(jpeg, 1100, 700, join(dir, 'tiles'), join(dir, 'tiled.heic'), 80)
  const { statusCode, body } = await upload(app, join(dir, 'tiled.heic'))
  t.equal(statusCode, 200)
  const original = join(config.incomingFolder, body.filename)
  t.match(identify(original), { format: 'JPEG', width: 1100, height: 700 })
  t.ok(psnr(jpeg, original, []) >= 35, `every tile in its place: ${psnr(jpeg, original, [])} dB against the photo`)
})

t.test('a transparent HEIC, AVIF or WebP is stored as a PNG that keeps its transparency', async t => {
  const { app, config } = await testApp(t)
  const dir = t.testdir()
  const png = join(dir, 'badge.png')
  magick('-size', '300x200', 'xc:none', '-fill', 'rgb(0,128,255)', '-draw', 'circle 150,100 150,20', `png32:${png}`)
  execFileSync('heif-enc', ['-q', '90', png, '-o', join(dir, 'badge.heic')])
  execFileSync('heif-enc', ['-A', '-q', '90', png, '-o', join(dir, 'badge.avif')])
  magick(png, join(dir, 'badge.webp'))
  for (const format of ['heic', 'avif', 'webp']) {
    const { statusCode, body } = await upload(app, join(dir, `badge.${format}`))
    t.equal(statusCode, 200, format)
    t.match(body.filename, /\.png$/, `${format}: stored under a PNG key`)
    const original = join(config.incomingFolder, body.filename)
    t.match(identify(original), { format: 'PNG', width: 300, height: 200 })
    const [corner, centre] = ['0,0', '150,100'].map(at => execFileSync('convert', [original, '-format', `%[fx:p{${at}}.a]`, 'info:']).toString())
    t.same([Number(corner), Number(centre)], [0, 1], `${format}: clear corner, opaque centre`)
  }
})

t.test('animated WebP and AVIF are refused, saying what to send', async t => {
  const { app, config } = await testApp(t)
  const dir = t.testdir()
  const webp = join(dir, 'anim.webp')
  magick('-delay', '10', '-size', '60x40', 'xc:red', 'xc:blue', webp)
  // An AVIF image sequence says so in its brand (libheif 1.15 cannot write one): a still AVIF, rebranded.
  const avif = join(dir, 'anim.avif')
  magick('-size', '60x40', 'xc:red', join(dir, 'still.avif'))
  const bytes = readFileSync(join(dir, 'still.avif'))
  bytes.write('avis', 8, 'latin1')
  writeFileSync(avif, bytes)
  for (const [file, name] of [[webp, 'WebP'], [avif, 'AVIF']]) {
    const { statusCode, body } = await upload(app, file)
    t.equal(statusCode, 400, name)
    t.same(body, `Animated ${name} is not accepted: send it as a GIF, or as a still image.`)
  }
  t.same(filesIn(config.incomingFolder), [])
})

t.test('the pixel limits apply to HEIC as to any image, and a damaged one is refused', async t => {
  const { app, config } = await testApp(t, { MAX_IMAGE_PIXELS: '200000' })
  const dir = t.testdir()
  const { heic } = photos(dir)
  const large = await upload(app, heic)
  t.equal(large.statusCode, 400)
  t.same(large.body, 'Image too large: 600×400 px, over 200000 pixels.')
  const small = join(dir, 'small.heic')
  magick('-size', '300x200', 'gradient:red-blue', small)
  writeFileSync(join(dir, 'cut.heic'), readFileSync(small).subarray(0, readFileSync(small).length - 200))
  const cut = await upload(app, join(dir, 'cut.heic'))
  t.equal(cut.statusCode, 400)
  t.same(cut.body, 'Damaged HEIC file: no pixels in it can be decoded.')
  t.same(filesIn(config.incomingFolder), [])
  t.same(workFiles(config.tempFolder), [])
})

t.test('TIFF, BMP, PDF, PSD and text are still refused', async t => {
  const { app, config } = await testApp(t)
  // Debian's own ImageMagick policy will not write PDF: a one-page PDF, written out.
  const pdf = '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 40 30]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n'
  const dir = t.testdir({ 'notes.jpg': 'a text file named like a photo\n', 'doc.jpg': pdf })
  const files = ['tiff', 'bmp', 'psd'].map(coder => makeImage(dir, `${coder}.jpg`, '40x30', { coder }))
  for (const file of [...files, join(dir, 'doc.jpg'), join(dir, 'notes.jpg')]) {
    const { statusCode, body } = await upload(app, file)
    t.equal(statusCode, 400, file)
    t.same(body, 'Unsupported image format.')
  }
  t.same(filesIn(config.incomingFolder), [])
})

t.test('our ImageMagick policy reads HEIC but never writes it', async t => {
  const dir = t.testdir()
  const run = testRunner()
  const heic = join(dir, 'a.heic')
  magick('-size', '40x30', 'xc:red', heic)
  t.equal(await run('identify', ['-format', '%w %h', `heic:${heic}`]), '40 30')
  t.match(await run('convert', [`jpg:${makeImage(dir, 'a.jpg', '40x30')}`, `heic:${dir}/out.heic`]).catch((error: unknown) => error), { stderr: /not allowed by the security policy `HEIC'/ })
})
