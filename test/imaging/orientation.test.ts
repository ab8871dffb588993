import { execFileSync, spawnSync } from 'node:child_process'
import { copyFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { autoOrientJpeg } from '../../src/imaging/orientation.js'
import type { RunOptions } from '../../src/imaging/run.js'
import { identify, makeImage, testImaging, withOrientation } from '../helpers.js'

const imaging = testImaging()

/** How many pixels differ between two images, as ImageMagick decodes them. */
function differentPixels (a: string, b: string): number {
  try {
    execFileSync('compare', ['-metric', 'AE', a, b, 'null:'], { stdio: 'pipe' })
    return 0
  } catch (error) {
    return Number((error as { stderr: Buffer }).stderr.toString())
  }
}

/** How close `actual` is to `expected`, in dB (Infinity when identical), as ImageMagick's `compare` measures it. */
function psnr (actual: string, expected: string): number {
  const text = spawnSync('compare', ['-metric', 'PSNR', actual, expected, 'null:']).stderr.toString().trim()
  return text === 'inf' ? Infinity : Number.parseFloat(text)
}

/** What ImageMagick's -auto-orient makes of `path`, as PNG: the upright image expected. */
function upright (path: string): string {
  const reference = `${path}.upright.png`
  execFileSync('convert', [path, '-auto-orient', reference])
  return reference
}

/** Undoes a rotation with jpegtran: only an unchanged set of DCT blocks comes back pixel for pixel. */
function rotateBack (path: string, degrees: string): string {
  const back = `${path}.back.jpg`
  execFileSync('jpegtran', ['-perfect', '-rotate', degrees, '-outfile', back, path])
  return back
}

// Past this, the picture is the expected one, up to JPEG's own loss; a turn the wrong way or a shifted one is far below.
const UPRIGHT_DB = 30

const photo = (dir: string, size = '256x160'): string =>
  makeImage(dir, 'photo.jpg', size, { args: ['-seed', '3', 'plasma:', '-compose', 'over', '-composite', '-quality', '85'] })

t.test('a JPEG turned upright from its EXIF orientation keeps every DCT block', async t => {
  const dir = t.testdir()
  const original = photo(dir)
  const oriented = withOrientation(original, 6, join(dir, 'oriented.jpg'))
  t.equal(identify(oriented).orientation, 'RightTop')
  const expected = upright(oriented)
  t.equal(await imaging.autoOrient(oriented), true)
  t.match(identify(oriented), { width: 160, height: 256, orientation: 'TopLeft' })
  t.equal(differentPixels(rotateBack(oriented, '270'), original), 0, 'lossless')
  t.ok(psnr(oriented, expected) > UPRIGHT_DB, `the picture ImageMagick's -auto-orient shows: ${psnr(oriented, expected)} dB`)
})

t.test('each of the eight orientations ends upright', async t => {
  const dir = t.testdir()
  const original = photo(dir, '64x48')
  for (let orientation = 1; orientation <= 8; orientation++) {
    const path = withOrientation(original, orientation, join(dir, `o${orientation}.jpg`))
    const reference = upright(path)
    t.equal(await imaging.autoOrient(path), orientation !== 1, `orientation ${orientation} changed`)
    const { width, height, orientation: tag } = identify(path)
    t.equal(tag, 'TopLeft', `orientation ${orientation} tag reset`)
    t.same([width, height], orientation >= 5 ? [48, 64] : [64, 48], `orientation ${orientation} size`)
    t.ok(psnr(path, reference) > UPRIGHT_DB, `orientation ${orientation} is ImageMagick's -auto-orient: ${psnr(path, reference)} dB`)
  }
})

t.test('while it is turned upright, the file is only ever seen sideways-and-tagged or upright-and-untagged', async t => {
  // Thumbnails read the same file at the same time: a turned file still tagged sideways would turn them twice.
  const dir = t.testdir()
  const path = withOrientation(photo(dir), 8, join(dir, 'seen.jpg'))
  const seen = new Set<string>()
  const look = (): void => { const { width, height, orientation } = identify(path); seen.add(`${width}x${height} ${orientation}`) }
  const run = async (command: string, args: string[]): Promise<string> => {
    look()
    return execFileSync(command, args).toString()
  }
  t.equal(await autoOrientJpeg(path, run), true)
  look()
  t.same([...seen].sort(), ['160x256 TopLeft', '256x160 LeftBottom'])
})

t.test('the lossless turn tells the queue its memory: every DCT coefficient, twice', async t => {
  const dir = t.testdir()
  const estimates: Record<string, number | undefined> = {}
  const run = async (command: string, args: string[], options: RunOptions = {}): Promise<string> => {
    estimates[command] = options.memory
    return execFileSync(command, args).toString()
  }
  for (const [sampling, share] of [['1x1', 3], ['2x2', 1.5]] as const) {
    const plain = makeImage(dir, `${sampling}.jpg`, '256x160', { args: ['-sampling-factor', sampling] })
    t.equal(await autoOrientJpeg(withOrientation(plain, 6, join(dir, `turn-${sampling}.jpg`)), run), true)
    t.equal(estimates.exiftran, 2 * 2 * 256 * 160 * share, sampling)
  }
})

t.test('a size that is not whole MCUs falls back to a re-encode at the same quality', async t => {
  const dir = t.testdir()
  const original = photo(dir, '61x45')
  const oriented = withOrientation(original, 8, join(dir, 'odd.jpg'))
  const expected = upright(oriented)
  t.equal(await imaging.autoOrient(oriented), true)
  t.match(identify(oriented), { width: 45, height: 61, orientation: 'TopLeft' })
  // A turn by exiftran here would trim the edge blocks and shift the picture (7 to 18 dB).
  t.ok(psnr(oriented, expected) > UPRIGHT_DB, `the picture ImageMagick's -auto-orient shows: ${psnr(oriented, expected)} dB`)
  const quality = (path: string): string => execFileSync('identify', ['-format', '%Q', path]).toString()
  t.equal(quality(oriented), quality(original))
})

t.test('rotation is lossless for JPEG and turns PNG and every GIF frame', async t => {
  const dir = t.testdir()
  const jpeg = photo(dir)
  const rotated = join(dir, 'rotated.jpg')
  copyFileSync(jpeg, rotated)
  await imaging.rotate(rotated, 'jpg', -90)
  t.match(identify(rotated), { width: 160, height: 256 })
  t.equal(differentPixels(rotateBack(rotated, '90'), jpeg), 0, 'lossless')

  const png = makeImage(dir, 'p.png', '30x20')
  await imaging.rotate(png, 'png', 180)
  t.match(identify(png), { format: 'PNG', width: 30, height: 20 })

  const gif = makeImage(dir, 'g.gif', '30x20', { args: ['(', '-size', '30x20', 'xc:green', ')', '(', '-size', '30x20', 'xc:yellow', ')'] })
  t.equal(identify(gif).frames, 3)
  await imaging.rotate(gif, 'gif', 90)
  t.match(identify(gif), { format: 'GIF', width: 20, height: 30, frames: 3 })
})
