import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import t from 'tap'
import { parseResizing } from '../../src/config/resizing.js'
import { identify, makeImage, testImaging, withOrientation } from '../helpers.js'

// Any RESIZING_CONFIG, not only the default: fit, shrink-only, fill-and-crop, exact, a plain -resize.
const rules = parseResizing(JSON.stringify([
  { suffix: 'XL', convert: ['-thumbnail', '1200x1200>', '-quality', '92'] },
  { suffix: 'M', convert: ['-resize', '500x300', '-quality', '85'] },
  { suffix: 'SQ', convert: ['-thumbnail', '150x150^', '-gravity', 'center', '-extent', '150x150', '-quality', '90'] },
  { suffix: 'EX', convert: ['-thumbnail', '320x100!', '-quality', '90'] }
]))

function psnr (a: string, b: string): number {
  try {
    execFileSync('compare', ['-metric', 'PSNR', a, b, 'null:'], { stdio: 'pipe' })
    return Infinity
  } catch (error) {
    return Number((error as { stderr: Buffer }).stderr.toString())
  }
}

t.test('one pass gives every size its own command would, at least as good against a Lanczos reference', async t => {
  const dir = t.testdir()
  const plain = makeImage(dir, 'plain.jpg', '3000x2000', { args: ['-seed', '11', 'plasma:', '-compose', 'over', '-composite', '-quality', '92'] })
  const photo = withOrientation(plain, 6, join(dir, 'photo.jpg'))
  const imaging = testImaging({ resizing: rules })
  const image = await imaging.detect(photo)
  t.match(image, { format: 'jpg', width: 3000, height: 2000 })
  const made = await imaging.thumbnails({ path: photo, format: 'jpg', width: 3000, height: 2000 }, '1732790000_1.jpg', dir)
  t.same(made.map(thumbnail => thumbnail.key), ['1732790000_1XL.jpg', '1732790000_1M.jpg', '1732790000_1SQ.jpg', '1732790000_1EX.jpg'])
  for (const [i, rule] of rules.entries()) {
    const own = join(dir, `own-${rule.suffix}.jpg`)
    execFileSync('convert', [photo, '-auto-orient', ...rule.convert, own])
    const ours = made[i]
    const expected = identify(own)
    t.match(identify(ours.path), { format: 'JPEG', width: expected.width, height: expected.height }, `${rule.suffix} size`)
    t.same([ours.width, ours.height], [expected.width, expected.height], `${rule.suffix} reported size`)
    // The reference: the full original, upright, Lanczos-resized the same way, never compressed.
    const reference = join(dir, `ref-${rule.suffix}.png`)
    execFileSync('convert', [photo, '-auto-orient', '-filter', 'Lanczos', ...rule.convert.map(arg => arg === '-thumbnail' ? '-resize' : arg).filter((_, j, all) => all[j] !== '-quality' && all[j - 1] !== '-quality'), reference])
    const [oursDb, ownDb] = [psnr(reference, ours.path), psnr(reference, own)]
    t.ok(oursDb >= ownDb - 0.05, `${rule.suffix}: ${oursDb.toFixed(2)} dB against the per-size command's ${ownDb.toFixed(2)} dB`)
  }
})

t.test('a still format never makes -0, -1 files', async t => {
  const dir = t.testdir()
  const png = makeImage(dir, 'a.png', '400x300')
  const made = await testImaging().thumbnails({ path: png, format: 'png' }, '1732790000_2.png', dir)
  t.equal(made.length, 3)
  t.notMatch(execFileSync('ls', [dir]).toString(), /-\d\.png/)
})
