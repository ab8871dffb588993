import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { readOrientation, setOrientation } from '../../src/imaging/exif.js'
import { markUpright, scanDataBytes } from '../../src/imaging/jpeg-segments.js'
import { webpExif } from '../../src/imaging/webp.js'
import { identify, makeImage, testImaging, withOrientation } from '../helpers.js'

/** A TIFF block in either byte order whose IFD0 holds `entries` (tag, SHORT value). */
function tiff (order: 'II' | 'MM', entries: Array<[number, number]>): Buffer {
  const bytes = Buffer.alloc(10 + 12 * entries.length + 4)
  const little = order === 'II'
  const u16 = (value: number, at: number): number => little ? bytes.writeUInt16LE(value, at) : bytes.writeUInt16BE(value, at)
  bytes.write(order, 0, 'latin1')
  u16(42, 2)
  if (little) bytes.writeUInt32LE(8, 4)
  else bytes.writeUInt32BE(8, 4)
  u16(entries.length, 8)
  entries.forEach(([tag, value], i) => {
    u16(tag, 10 + 12 * i)
    u16(3, 12 + 12 * i)
    u16(value, 18 + 12 * i)
  })
  return bytes
}

t.test('the EXIF Orientation is read and set in either byte order, and only where it is', async t => {
  for (const order of ['II', 'MM'] as const) {
    const block = tiff(order, [[0x010F, 7], [0x0112, 6]])
    t.equal(readOrientation(block), 6, order)
    setOrientation(block, 1)
    t.equal(readOrientation(block), 1, `${order}: set`)
    t.equal(readOrientation(tiff(order, [[0x0112, 9]])), 1, `${order}: a value past 8 is upright`)
    const none = tiff(order, [[0x010F, 7]])
    setOrientation(none, 3)
    t.same(none, tiff(order, [[0x010F, 7]]), `${order}: nothing written where there is no tag`)
  }
  t.equal(readOrientation(Buffer.from('MM')), 1, 'too short to be TIFF')
  const pointing = tiff('MM', [[0x0112, 6]])
  pointing.writeUInt32BE(4000, 4)
  t.equal(readOrientation(pointing), 1, 'IFD0 past the end')
})

t.test('a JPEG is marked upright in place, every other byte kept', async t => {
  const dir = t.testdir()
  const sideways = withOrientation(makeImage(dir, 'a.jpg', '30x20'), 6, join(dir, 'sideways.jpg'))
  const before = readFileSync(sideways)
  await markUpright(sideways)
  const after = readFileSync(sideways)
  t.equal(identify(sideways).orientation, 'TopLeft')
  t.equal(after.length, before.length)
  t.equal([...after].filter((byte, i) => byte !== before[i]).length, 1, 'one byte differs')
  const plain = makeImage(dir, 'plain.jpg', '30x20')
  const untouched = readFileSync(plain)
  await markUpright(plain)
  t.same(readFileSync(plain), untouched, 'without EXIF, nothing to do')
})

t.test('scan data is found past stray bytes, within reason', async t => {
  const dir = t.testdir()
  const jpeg = readFileSync(makeImage(dir, 'a.jpg', '30x20'))
  const sos = jpeg.indexOf(Buffer.from([0xFF, 0xDA]))
  const withStray = (count: number): string => {
    const path = join(dir, `stray-${count}.jpg`)
    writeFileSync(path, Buffer.concat([jpeg.subarray(0, sos), Buffer.alloc(count, 0x11), jpeg.subarray(sos)]))
    return path
  }
  t.ok(await scanDataBytes(withStray(2)) > 0, 'two stray bytes, as libjpeg steps over them')
  t.equal(await scanDataBytes(withStray(5000)), 0, 'kilobytes of noise are no JPEG')
})

t.test('a WebP\'s EXIF is found after its image data, with or without JPEG\'s "Exif" prefix', async t => {
  const dir = t.testdir()
  const webp = makeImage(dir, 'a.webp', '30x20')
  t.equal(await webpExif(webp), undefined, 'none')
  execFileSync('exiftool', ['-q', '-overwrite_original', '-Orientation#=8', webp])
  t.equal(readOrientation(await webpExif(webp) as Buffer), 8, 'as exiftool writes it')
  const bytes = readFileSync(webp)
  const at = bytes.indexOf('EXIF')
  const exif = bytes.subarray(at + 8, at + 8 + bytes.readUInt32LE(at + 4))
  const prefixed = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), exif])
  const chunk = Buffer.alloc(8)
  chunk.write('EXIF', 0, 'latin1')
  chunk.writeUInt32LE(prefixed.length, 4)
  const riff = Buffer.concat([bytes.subarray(0, at), chunk, prefixed, Buffer.alloc(prefixed.length % 2)])
  riff.writeUInt32LE(riff.length - 8, 4)
  writeFileSync(join(dir, 'prefixed.webp'), riff)
  t.equal(readOrientation(await webpExif(join(dir, 'prefixed.webp')) as Buffer), 8, 'as older writers wrote it')
})

t.test('a HEIC holding several images keeps the first', async t => {
  const dir = t.testdir()
  makeImage(dir, 'first.png', '60x40', { args: ['-depth', '8'] })
  makeImage(dir, 'second.png', '30x90', { args: ['-depth', '8'] })
  execFileSync('heif-enc', ['-q', '60', join(dir, 'first.png'), join(dir, 'second.png'), '-o', join(dir, 'two.heic')])
  const imaging = testImaging()
  const image = await imaging.detect(join(dir, 'two.heic'))
  t.match(image, { format: 'heic', width: 60, height: 40 })
  const stored = await imaging.storable({ ...image, format: 'heic' }, join(dir, 'two.heic'), dir)
  t.match(identify(stored.path), { format: 'JPEG', width: 60, height: 40 })
})
