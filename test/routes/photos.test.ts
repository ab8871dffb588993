import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { TO_SRGB } from '../../src/imaging/colour.js'
import { DISPLAY_P3, matrixProfile } from '../icc.js'
import { damaged, filesIn, identify, magick, makeImage, NO_LIMIT_MS, publish, rotate, testApp, testImaging, testRunner, upload, workFiles } from '../helpers.js'
import { browserColour, colourDistance, colourInfo, meanColour } from '../pixels.js'

const ADOBE_RGB = '/usr/share/color/icc/compatibleWithAdobeRGB1998.icc'
// Debian's libgs-common: the only CMYK profile a Debian machine has.
const CMYK = '/usr/share/color/icc/ghostscript/default_cmyk.icc'

/** Every file of an image's family in `folder` but the original itself. */
const family = (folder: string, key: string): string[] => filesIn(folder).filter(name => name !== key && name.startsWith(key.replace(/\.\w+$/, '')))

/** A PNG whose first tEXt chunk's CRC is zeroed. */
function badTextCrc (bytes: Buffer): Buffer {
  const crc = bytes.indexOf('tEXt') + 4 + bytes.readUInt32BE(bytes.indexOf('tEXt') - 4)
  return Buffer.from(bytes).fill(0, crc, crc + 4)
}

t.test('damaged files every browser shows get the same thumbnails as the intact file, with the warning logged', async t => {
  const { app, config } = await testApp(t)
  const warnings: string[] = []
  app.log.warn = ((details: { warning: string }) => warnings.push(details.warning)) as typeof app.log.warn
  const dir = t.testdir()
  const jpeg = makeImage(dir, 'intact.jpg', '600x400', { args: ['-seed', '5', 'plasma:', '-compose', 'over', '-composite', '-quality', '90'] })
  const png = makeImage(dir, 'intact.png', '600x400', { args: ['-set', 'comment', 'made for a test'] })
  const dqt = (bytes: Buffer): number => bytes.indexOf(Buffer.from([0xFF, 0xDB]))
  const cases: Array<[string, string, string, RegExp]> = [
    ['stray bytes before a marker', jpeg, damaged(jpeg, join(dir, 'stray.jpg'), bytes => Buffer.concat([bytes.subarray(0, dqt(bytes)), Buffer.from([0x12, 0x34]), bytes.subarray(dqt(bytes))])), /extraneous bytes before marker/],
    ['no EOI marker', jpeg, damaged(jpeg, join(dir, 'no-end.jpg'), bytes => bytes.subarray(0, -2)), /Premature end of JPEG file/],
    ['a bad CRC on a tEXt chunk', png, damaged(png, join(dir, 'crc.png'), badTextCrc), /tEXt: CRC error/]
  ]
  const intact = new Map<string, string>()
  for (const file of [jpeg, png]) intact.set(file, (await upload(app, file)).body.filename)
  for (const [name, original, file, warning] of cases) {
    const { statusCode, body } = await upload(app, file)
    t.equal(statusCode, 200, name)
    const ours = family(config.incomingFolder, body.filename)
    const theirs = family(config.incomingFolder, intact.get(original) as string)
    t.equal(ours.length, 3, `${name}: three thumbnails`)
    for (const [i, thumbnail] of ours.entries()) {
      const difference = execFileSync('compare', ['-metric', 'AE', join(config.incomingFolder, thumbnail), join(config.incomingFolder, theirs[i]), 'null:'], { stdio: 'pipe' }).toString()
      t.equal(difference, '', `${name}: ${thumbnail} has the intact file's pixels`)
    }
    t.same(readFileSync(join(config.incomingFolder, body.filename)), readFileSync(file), `${name}: the original kept as sent`)
    t.ok(warnings.some(line => warning.test(line)), `${name}: the warning is logged`)
  }
})

t.test('a damaged file once taken can be published and rotated', async t => {
  const { app, config } = await testApp(t)
  const dir = t.testdir()
  const jpeg = damaged(makeImage(dir, 'a.jpg', '320x160', { args: ['-quality', '90'] }), join(dir, 'no-end.jpg'), bytes => bytes.subarray(0, -2))
  const png = makeImage(dir, 'a.png', '320x160', { args: ['-set', 'comment', 'made for a test'] })
  const crc = damaged(png, join(dir, 'crc.png'), badTextCrc)
  for (const file of [jpeg, crc]) {
    const { body } = await upload(app, file)
    t.equal((await publish(app, body.filename)).statusCode, 200)
    const rotated = await rotate(app, body.filename, 90)
    t.equal(rotated.statusCode, 200, file)
    t.match(identify(join(config.activeFolder, rotated.body.filename)), { width: 160, height: 320 }, `${file}: turned`)
  }
})

t.test('a truncated JPEG is taken as browsers show it; a file without pixels is refused, saying so', async t => {
  const { app, config } = await testApp(t)
  const dir = t.testdir()
  const jpeg = makeImage(dir, 'intact.jpg', '600x400', { args: ['-quality', '90'] })
  const half = await upload(app, damaged(jpeg, join(dir, 'half.jpg'), bytes => bytes.subarray(0, bytes.length / 2)))
  t.equal(half.statusCode, 200, 'half a JPEG')
  t.match(identify(join(config.incomingFolder, half.body.filename.replace('.jpg', 'BI.jpg'))), { width: 600, height: 400 })
  const scan = (bytes: Buffer): number => bytes.indexOf(Buffer.from([0xFF, 0xDA]))
  const png = makeImage(dir, 'intact.png', '600x400')
  const noPixels = [
    ['a JPEG cut after its scan header', damaged(jpeg, join(dir, 'header.jpg'), bytes => bytes.subarray(0, scan(bytes) + 4 + bytes.readUInt16BE(scan(bytes) + 2) - 2)), 'JPEG'],
    ['a JPEG cut before its scan', damaged(jpeg, join(dir, 'no-scan.jpg'), bytes => bytes.subarray(0, scan(bytes))), 'JPEG'],
    ['a PNG without image data', damaged(png, join(dir, 'no-idat.png'), bytes => Buffer.concat([bytes.subarray(0, bytes.indexOf('IDAT') - 4), bytes.subarray(bytes.indexOf('IEND') - 4)])), 'PNG']
  ]
  for (const [name, file, format] of noPixels) {
    const { statusCode, body } = await upload(app, file)
    t.equal(statusCode, 400, name)
    t.same(body, `Damaged ${format} file: no pixels in it can be decoded.`, name)
  }
  t.equal(filesIn(config.incomingFolder).length, 4, 'only the half JPEG and its thumbnails')
  t.same(workFiles(config.tempFolder), [])
})

t.test('tagged photos: thumbnails and variants are sRGB as a browser shows them; the original is untouched', async t => {
  const { app, config } = await testApp(t, { GENERATE_WEBP: '1', GENERATE_AVIF: '1' })
  const dir = t.testdir()
  const colour = (name: string, profile: string, fill = 'rgb(150,100,200)'): string => {
    magick('-size', '600x400', `xc:${fill}`, '-profile', profile, '-quality', '95', join(dir, name))
    return join(dir, name)
  }
  const cmyk = join(dir, 'cmyk.jpg')
  magick(colour('rgb.jpg', ADOBE_RGB), '-profile', CMYK, cmyk)
  const cases = [
    ['Adobe RGB', colour('adobe.jpg', ADOBE_RGB)],
    ['Display P3', colour('p3.jpg', matrixProfile(join(dir, 'p3.icc'), 'Display P3 (test)', DISPLAY_P3), 'rgb(220,60,40)')],
    ['CMYK with its profile', cmyk]
  ]
  for (const [name, file] of cases) {
    const shown = browserColour(file)
    // The test can fail: read as if it were sRGB, the file looks visibly different.
    t.ok(colourDistance(meanColour(file, ['+profile', 'icc']), shown) >= 8, `${name}: its profile matters`)
    const { body } = await upload(app, file)
    await app.images.variants.drain(NO_LIMIT_MS)
    const made = family(config.incomingFolder, body.filename)
    t.equal(made.length, 9, `${name}: three sizes in JPEG, WebP and AVIF`)
    for (const thumbnail of made) {
      const path = join(config.incomingFolder, thumbnail)
      t.ok(colourDistance(meanColour(path), shown) <= 3, `${name}: ${thumbnail} ${meanColour(path).join(',')} shows as the file does (${shown.join(',')})`)
      t.match(colourInfo(path), { profile: /^(sRGB.*)?$/, depth: 8 }, `${name}: ${thumbnail} is untagged, 8 bits`)
    }
    t.same(readFileSync(join(config.incomingFolder, body.filename)), readFileSync(file), `${name}: the original is kept as sent`)
  }
})

t.test('a colour profile lcms cannot read is ignored, as browsers ignore it', async t => {
  const { app, config } = await testApp(t)
  const dir = t.testdir()
  const jpeg = makeImage(dir, 'plain.jpg', '600x400', { args: ['-quality', '95'] })
  // An APP2 ICC_PROFILE segment whose profile is noise with a valid-looking header.
  const profile = Buffer.alloc(300, 7)
  profile.writeUInt32BE(profile.length)
  profile.write('acsp', 36, 'latin1')
  const payload = Buffer.concat([Buffer.from('ICC_PROFILE\0', 'latin1'), Buffer.from([1, 1]), profile])
  const segment = Buffer.from([0xFF, 0xE2, (payload.length + 2) >> 8, (payload.length + 2) & 255])
  const broken = damaged(jpeg, join(dir, 'bad-profile.jpg'), bytes => Buffer.concat([bytes.subarray(0, 2), segment, payload, bytes.subarray(2)]))
  const alone = await testRunner()('convert', [`jpg:${broken}`, ...TO_SRGB, 'null:']).catch((error: unknown) => error)
  t.match(alone, { stderr: /ColorspaceColorProfileMismatch/ }, 'the conversion alone fails on it')
  const { statusCode, body } = await upload(app, broken)
  t.equal(statusCode, 200)
  for (const thumbnail of family(config.incomingFolder, body.filename)) {
    t.ok(colourDistance(meanColour(join(config.incomingFolder, thumbnail)), meanColour(jpeg)) <= 3, `${thumbnail}: the colours of the untagged file`)
  }
})

t.test('untagged CMYK and 16-bit PNG become 8-bit sRGB thumbnails', async t => {
  const { app, config } = await testApp(t)
  const dir = t.testdir()
  const cmyk = join(dir, 'cmyk.jpg')
  magick('-size', '600x400', 'xc:rgb(40,160,90)', '-colorspace', 'CMYK', cmyk)
  const deep = makeImage(dir, 'deep.png', '600x400', { coder: 'png48', args: ['-depth', '16'] })
  t.equal(colourInfo(deep).depth, 16)
  for (const [name, file] of [['untagged CMYK', cmyk], ['16-bit PNG', deep]]) {
    const { body } = await upload(app, file)
    for (const thumbnail of family(config.incomingFolder, body.filename)) {
      const path = join(config.incomingFolder, thumbnail)
      t.match(colourInfo(path), { profile: '', depth: 8, colorspace: 'sRGB' }, `${name}: ${thumbnail}`)
      t.ok(colourDistance(meanColour(path), meanColour(file)) <= 3, `${name}: ${thumbnail} keeps its colours`)
    }
  }
})

t.test('extreme shapes get every thumbnail, cropped where the rule says', async t => {
  const { app, config } = await testApp(t)
  const dir = t.testdir()
  const cases: Array<[string, number[][]]> = [['100x9000', [[17, 1500], [4, 400], [200, 200]]], ['1x16000', [[1, 1500], [1, 400], [200, 200]]], ['16000x1', [[1500, 1], [400, 1], [200, 200]]]]
  for (const [size, expected] of cases) {
    // Red at one end, blue at the other: the square must come from the middle, purple.
    const wide = size === '16000x1'
    const { statusCode, body } = await upload(app, makeImage(dir, `${size}.png`, wide ? '1x16000' : size, wide ? { args: ['-rotate', '90'] } : {}))
    t.equal(statusCode, 200, size)
    const made = family(config.incomingFolder, body.filename).map(name => join(config.incomingFolder, name))
    t.same(made.map(path => [identify(path).width, identify(path).height]), expected, size)
    t.ok(colourDistance(meanColour(made[2]), [128, 0, 127]) <= 8, `${size}: the square is the middle (${meanColour(made[2]).join(',')})`)
  }
})

t.test('a rule whose image would pass the side limit is refused, saying so', async t => {
  const resizing = JSON.stringify([{ suffix: 'W', convert: ['-thumbnail', '200x200^'] }])
  const { app, config } = await testApp(t, { RESIZING_CONFIG: resizing })
  const { statusCode, body } = await upload(app, makeImage(t.testdir(), 'tall.png', '100x9000'))
  t.equal(statusCode, 400)
  t.same(body, 'Image too large for a thumbnail rule: from 100×9000 px, a rule\'s image would pass 16384 px a side.')
  t.same(filesIn(config.incomingFolder), [])
})

t.test('a program\'s warning on a file that decodes reaches the imaging\'s report', async t => {
  const warnings: string[] = []
  const imaging = testImaging({ report: { warned: (command, warning) => warnings.push(`${command}: ${warning}`) } })
  const dir = t.testdir()
  const jpeg = damaged(makeImage(dir, 'a.jpg', '300x200'), join(dir, 'b.jpg'), bytes => bytes.subarray(0, -2))
  t.equal((await imaging.thumbnails({ path: jpeg, format: 'jpg' }, '1732790000_3.jpg', dir)).length, 3)
  t.match(warnings, [/^convert: .*Premature end of JPEG file/])
})
