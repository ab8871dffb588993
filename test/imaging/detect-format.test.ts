import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { makeImage, testImaging } from '../helpers.js'

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

t.test('a file with the right magic number but no valid header is refused', async t => {
  const dir = t.testdir()
  const png = readFileSync(makeImage(dir, 'p.png', '20x10'))
  writeFileSync(join(dir, 'cut.png'), png.subarray(0, 12))
  t.equal(await imaging.detect(join(dir, 'cut.png')), undefined)
  writeFileSync(join(dir, 'jpeg-magic.jpg'), Buffer.from([0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]))
  t.equal(await imaging.detect(join(dir, 'jpeg-magic.jpg')), undefined)
})
