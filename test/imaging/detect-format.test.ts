import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { makeImage, testImaging } from '../helpers.js'
import { sniffFormat } from '../../src/imaging/detect-format.js'

const imaging = testImaging()

t.test('JPEG, PNG, GIF and SVG are told by their bytes, whatever the name', async t => {
  const dir = t.testdir()
  t.same(await imaging.detect(makeImage(dir, 'a.gif', '20x10', { coder: 'jpg' })), { format: 'jpg', width: 20, height: 10, frames: 1 })
  t.same(await imaging.detect(makeImage(dir, 'b.jpg', '20x10', { coder: 'png' })), { format: 'png', width: 20, height: 10, frames: 1 })
  t.same(await imaging.detect(makeImage(dir, 'c.png', '30x10', { coder: 'gif', args: ['(', '-size', '30x10', 'xc:red', ')'] })), { format: 'gif', width: 30, height: 10, frames: 2 })
  const svg = join(dir, 'd.jpg')
  writeFileSync(svg, '\uFEFF<?xml version="1.0"?>\n<!-- drawn by hand -->\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')
  t.same(await imaging.detect(svg), { format: 'svg', width: 10, height: 10 })
})

t.test('anything else is not an image we take', async t => {
  const dir = t.testdir({ 'empty.jpg': '', 'text.jpg': 'hello, world\n', 'html.svg': '<html><svg></svg></html>' })
  t.equal(await imaging.detect(join(dir, 'empty.jpg')), undefined, 'empty file')
  t.equal(await imaging.detect(join(dir, 'text.jpg')), undefined, 'text')
  t.equal(await imaging.detect(join(dir, 'html.svg')), undefined, 'SVG inside HTML')
  t.equal(await imaging.detect(makeImage(dir, 'x.jpg', '20x10', { coder: 'tiff' })), undefined, 'TIFF')
  t.equal(await imaging.detect(makeImage(dir, 'y.jpg', '20x10', { coder: 'bmp' })), undefined, 'BMP')
})

t.test('a file with the right magic number but no valid header is told damaged', async t => {
  const dir = t.testdir()
  const png = readFileSync(makeImage(dir, 'p.png', '20x10'))
  writeFileSync(join(dir, 'cut.png'), png.subarray(0, 12))
  t.same(await imaging.detect(join(dir, 'cut.png')), { format: 'png', damaged: true })
  writeFileSync(join(dir, 'jpeg-magic.jpg'), Buffer.from([0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]))
  t.same(await imaging.detect(join(dir, 'jpeg-magic.jpg')), { format: 'jpg', damaged: true })
})

t.test('HEIC, AVIF and WebP are told by their bytes, with transparency and animation', async t => {
  const dir = t.testdir()
  // heif-enc takes a 16-bit PNG (as ImageMagick writes a gradient) as 10-bit, which libaom cannot encode.
  const still = makeImage(dir, 'still.png', '30x20', { args: ['-depth', '8'] })
  execFileSync('heif-enc', ['-q', '50', still, '-o', join(dir, 'a.heic')])
  execFileSync('heif-enc', ['-A', '-q', '50', still, '-o', join(dir, 'b.avif')])
  makeImage(dir, 'clear.png', '30x20', { coder: 'png32', args: ['-depth', '8', '-alpha', 'set', '-channel', 'A', '-evaluate', 'set', '50%'] })
  execFileSync('heif-enc', ['-A', '-q', '50', join(dir, 'clear.png'), '-o', join(dir, 'clear.avif')])
  t.same(await imaging.detect(join(dir, 'a.heic')), { format: 'heic', width: 30, height: 20, frames: 1, alpha: false, decodedPixels: 64 * 64, otherImages: [], animated: false }, 'HEVC codes it in 64×64 blocks, cropped after decoding')
  t.same(await imaging.detect(join(dir, 'b.avif')), { format: 'avif', width: 30, height: 20, frames: 1, alpha: false, decodedPixels: 600, otherImages: [], animated: false })
  t.match(await imaging.detect(join(dir, 'clear.avif')), { format: 'avif', alpha: true, decodedPixels: 1200 }, 'the alpha plane decoded too')
  t.same(await imaging.detect(makeImage(dir, 'c.jpg', '30x20', { coder: 'webp' })), { format: 'webp', width: 30, height: 20, frames: 1, alpha: false, animated: false })
  t.match(await imaging.detect(makeImage(dir, 'd.jpg', '30x20', { coder: 'webp', args: ['-alpha', 'set', '-channel', 'A', '-evaluate', 'set', '50%'] })), { format: 'webp', alpha: true })
  t.match(await imaging.detect(makeImage(dir, 'e.jpg', '30x20', { coder: 'webp', args: ['(', '-size', '30x20', 'xc:red', ')', '-delay', '10'] })), { format: 'webp', frames: 2, animated: true })
})

t.test('a MP4 or any other ISO file is no HEIF', async t => {
  const box = (brands: string[]): Buffer => {
    const bytes = Buffer.alloc(8 + 4 * (brands.length + 1))
    bytes.writeUInt32BE(bytes.length)
    bytes.write('ftyp', 4, 'latin1')
    bytes.write(brands[0], 8, 'latin1')
    brands.slice(1).forEach((brand, i) => bytes.write(brand, 16 + 4 * i, 'latin1'))
    return bytes
  }
  t.equal(sniffFormat(box(['isom', 'iso2', 'mp41'])), undefined, 'MP4')
  t.equal(sniffFormat(box(['mif1', 'heic'])), 'heic', 'a HEIF by its compatible brand')
  t.equal(sniffFormat(box(['mif1', 'avif'])), 'avif', 'AVIF before HEIC')
})
