import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { heifLayout } from '../../src/imaging/heif-items.js'
import { jpegSegments } from '../../src/imaging/jpeg-segments.js'
import { findWebpExif } from '../../src/imaging/webp.js'
import { countingSource } from '../counting-source.js'
import { deleteImages, identify, makeImage, testApp, upload } from '../helpers.js'
import { withinBudget } from '../within-budget.js'
import { jpegFill, svgCommentRun, svgSpacedWidth, webpExifLength, webpJunk } from './hostile-files.js'
import { alphaWordHeic, manyImagesHeic, secondIsPrimaryHeic } from './hostile-heif.js'

// Issue 25: small uploads that killed or froze the process through our own parsers.

t.test('a WebP whose EXIF length is past its end allocates nothing from it, and the service lives', async t => {
  const { app } = await testApp(t)
  const dir = t.testdir()
  for (const length of [0xFFFFFFF0, 0x7FFFFFF0]) {
    const path = webpExifLength(dir, length)
    const source = countingSource(readFileSync(path))
    t.equal(await findWebpExif(source), undefined, `${length.toString(16)}: no EXIF read`)
    t.ok(source.bytesAsked < 1024, `${length.toString(16)}: ${source.bytesAsked} bytes asked for`)
    const { statusCode } = await upload(app, path)
    t.equal(statusCode, 200, 'the picture itself is fine')
    t.equal((await app.inject('/ping')).body, 'Pong!')
  }
})

t.test('a WebP padded with empty chunks: the walk stops after a bounded number', async t => {
  const source = countingSource(readFileSync(webpJunk(t.testdir(), 131_072)))
  t.equal(await findWebpExif(source), undefined, 'its EXIF, past the bound, is not looked for')
  t.ok(source.reads <= 64, `${source.reads} reads`)
})

t.test('a JPEG padded with a megabyte of fill bytes: a bounded walk, and a clear 400', async t => {
  const { app } = await testApp(t)
  const path = jpegFill(t.testdir(), 1024 * 1024)
  const source = countingSource(readFileSync(path))
  t.notOk((await jpegSegments(source)).some(segment => segment.marker === 0xDA), 'no scan found within the bound')
  t.ok(source.reads <= 1100, `${source.reads} steps for 1 MiB`)
  t.same(await upload(app, path), { statusCode: 400, body: 'Damaged JPEG file: no pixels in it can be decoded.' })
})

t.test('SVG heads and sizes are read in linear time: inputs that took minutes or hours answer within a fixed budget', async t => {
  t.equal(await withinBudget('imaging/svg-scan.js', 'looksLikeSvg', svgCommentRun(33)), false, '33 comments then x (2.5 minutes before)')
  t.equal(await withinBudget('imaging/detect-format.js', 'sniffFormat', Buffer.from(svgCommentRun(580))), undefined, 'a 4 KiB head of comments (longer than the universe before)')
  t.equal(await withinBudget('imaging/svg-scan.js', 'looksLikeSvg', `${'<!---->'.repeat(580)}<svg>`), true, 'comments, then an SVG root')
  const spaced = svgSpacedWidth(t.testdir(), 1_000_000)
  t.match(await withinBudget('imaging/svg-check.js', 'inspectSvg', spaced), { unsized: /^SVG size "1 {39}" is not in a unit/ }, 'a width with a megabyte of spaces (20 minutes before)')
  t.same(await withinBudget('imaging/svg-scan.js', 'cssExternal', `url(${' '.repeat(1_000_000)}#a)`), false, 'url( with a megabyte of spaces')
})

t.test('an SVG\'s entities are expanded in linear time, whatever the runs of markup around them', async t => {
  const head = '<!DOCTYPE svg [<!ENTITY a "x">]><svg>'
  for (const [name, body] of [['ampersands', '&'.repeat(1_000_000)], ['open tags', '<'.repeat(1_000_000) + '&a;'], ['names without an end', '&aaaa'.repeat(200_000)],
    ['comment starts', '<!--'.repeat(250_000) + '&a;'], ['references', '&a;'.repeat(300_000)]]) {
    const inlined = await withinBudget('imaging/svg-entities.js', 'inlineEntities', head + body)
    t.equal(typeof inlined === 'string' ? inlined.length : inlined, body.length + 5 - (name === 'references' ? 600_000 : name === 'open tags' ? 2 : 0), name)
  }
  t.equal(await withinBudget('imaging/svg-entities.js', 'inlineEntities', `<!DOCTYPE svg [${'<!--'.repeat(250_000)}`), undefined, 'a subset of unclosed comments')
  t.equal(await withinBudget('imaging/svg-entities.js', 'inlineEntities', `<!DOCTYPE svg "${'['.repeat(1_000_000)}`), '<!DOCTYPE svg "' + '['.repeat(1_000_000), 'an unclosed literal: no subset')
})

t.test('HEIC: only the primary image is decoded, counted and stored', async t => {
  const { app, config } = await testApp(t)
  const dir = t.testdir()

  const many = manyImagesHeic(dir, 200, 4096)
  const layout = await heifLayout(countingSource(readFileSync(many)))
  t.equal(layout?.decodedPixels, 64 * 64, 'the 200 other images are not what is shown')
  t.equal(layout?.otherImages.length, 200)
  const stored = await upload(app, many)
  t.equal(stored.statusCode, 200, 'decoded at once: 200 images of 4096×4096 px are not decoded')
  t.match(identify(`${config.incomingFolder}/${stored.body.filename as string}`), { format: 'JPEG', width: 64, height: 64 })

  const second = await upload(app, secondIsPrimaryHeic(dir, '640x480'))
  t.equal(second.statusCode, 200)
  t.match(identify(`${config.incomingFolder}/${second.body.filename as string}`), { width: 64, height: 64 }, 'the primary (item 2) is stored, not item 1')

  const word = await upload(app, alphaWordHeic(dir))
  t.match(word.body, { filename: /\.jpg$/ }, 'the alpha URN in a free box is no alpha plane: stored as JPEG')
})

t.test('HEIC: every image the decoder touches is counted against MAX_IMAGE_PIXELS, its alpha plane too', async t => {
  const { app } = await testApp(t, { MAX_IMAGE_PIXELS: '1000000' })
  const dir = t.testdir()
  const clear = makeImage(dir, 'clear.png', '1000x600', { coder: 'png32', args: ['-depth', '8', '-alpha', 'set', '-channel', 'A', '-evaluate', 'set', '50%'] })
  execFileSync('heif-enc', ['-q', '50', clear, '-o', join(dir, 'clear.heic')])
  t.same(await upload(app, join(dir, 'clear.heic')), { statusCode: 400, body: 'Image too large: its primary image decodes 1200000 pixels (tiles and alpha), over 1000000.' },
    '600,000 px shown, 1,200,000 decoded')
  t.equal((await upload(app, manyImagesHeic(dir, 3, 2048))).statusCode, 200, 'images that are not shown are not decoded, and count for nothing')
})

t.test('/delete names one key a hundred times: it is removed once', async t => {
  const { app } = await testApp(t)
  const key = '1732790000_0123456789.jpg'
  t.same(await deleteImages(app, Array(100).fill(key)), { statusCode: 200, body: { success: true } })
})
