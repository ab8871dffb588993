import t from 'tap'
import { cascadeSource, commutesWithTurn, jpegSizeHint, pipelineArgs, pipelineMemory } from '../../src/imaging/thumbnail-plan.js'
import { DEFAULT_RESIZING } from '../../src/config/resizing.js'

const rule = (...convert: string[]) => ({ suffix: 'X', convert })

t.test('the shrink-on-load hint is twice the largest target, for either orientation', async t => {
  t.equal(jpegSizeHint(DEFAULT_RESIZING, 6000, 4000), '3000x2000', '24 MP: decode at half size')
  t.equal(jpegSizeHint(DEFAULT_RESIZING, 4000, 6000), '2000x3000')
  t.equal(jpegSizeHint(DEFAULT_RESIZING, 12000, 8400), '3000x2100', '100 MP: a quarter')
  t.equal(jpegSizeHint([rule('-resize', '200x200^')], 6000, 4000), '600x400', 'fill scales by the larger ratio')
  t.equal(jpegSizeHint([rule('-resize', '300x300!')], 6000, 4000), '900x600', 'exact sizes too')
})

t.test('no hint where it would not shrink, or where a size cannot be read', async t => {
  t.equal(jpegSizeHint(DEFAULT_RESIZING, 2000, 1500), undefined, 'a hint larger than the image doubles the decode')
  t.equal(jpegSizeHint(DEFAULT_RESIZING, 3000, 2000), undefined, 'exactly twice: nothing to gain')
  t.equal(jpegSizeHint([rule('-resize', '50%')], 6000, 4000), undefined)
  t.equal(jpegSizeHint([rule('-quality', '80')], 6000, 4000), undefined)
  t.equal(jpegSizeHint([rule('-resize', '100x100<')], 6000, 4000), '200x134', 'only-enlarge still bounds the target')
})

t.test('-thumbnail becomes -resize in the pipeline; the rest stays', async t => {
  t.same(pipelineArgs(DEFAULT_RESIZING[2], 4000, 3000), ['-resize', '200x200^', '-gravity', 'center', '-extent', '200x200', '-quality', '90'])
})

t.test('a fill-and-crop rule crops to its box\'s shape first only when filling would pass the side limit', async t => {
  const crop = (gravity: string, shape: string): string[] => ['-gravity', gravity, '-crop', shape, '+repage', '+gravity']
  const [, , square] = DEFAULT_RESIZING
  t.same(pipelineArgs(square, 100, 9000).slice(0, 6), crop('center', '200:200'), '100×9000: 200×18000 before the crop')
  t.same(pipelineArgs(square, 9000, 100).slice(0, 6), crop('center', '200:200'), 'either way round')
  t.same(pipelineArgs(square, 100, 8000)[0], '-resize', '100×8000: 200×16000 fits')
  t.same(pipelineArgs(square).slice(0, 6), crop('center', '200:200'), 'a size not known: always')
  t.same(pipelineArgs(rule('-resize', '300x100^', '-extent', '300x100'), 1, 16000).slice(0, 6), crop('NorthWest', '300:100'), 'the default gravity, the box\'s shape')
  t.same(pipelineArgs(rule('-resize', '300x100^', '-gravity', 'south', '-extent', '200x100', '-gravity', 'north'), 1, 16000).slice(0, 6), crop('south', '300:100'), 'the gravity at the extent')
  t.equal(pipelineArgs(rule('-resize', '200x200^'), 1, 16000)[0], '-resize', 'no extent: nothing to crop')
  t.equal(pipelineArgs(rule('-resize', '200x200^', '-extent', '300x200'), 1, 16000)[0], '-resize', 'an extent past the box: it pads')
  t.equal(pipelineArgs(rule('-resize', '200x200^>', '-extent', '200x200'), 1, 16000)[0], '-resize', 'shrink only: a small image is padded, not cropped')
  t.equal(pipelineArgs(rule('-resize', '200x200', '-extent', '200x200'), 1, 16000)[0], '-resize', 'a fit, not a fill')
})

t.test('the smaller sizes resize from the largest only when it is plain and twice as large', async t => {
  t.equal(cascadeSource(DEFAULT_RESIZING, 4000, 3000), DEFAULT_RESIZING[0], '12 MP: BI feeds MI and SI')
  t.equal(cascadeSource(DEFAULT_RESIZING, 6000, 500), undefined, 'a panorama: SI would be an upscale from BI')
  t.equal(cascadeSource(DEFAULT_RESIZING, 300, 200), undefined, 'a small image: BI is the image itself, SI fills past it')
  t.equal(cascadeSource([rule('-resize', '1500x1500', '-sharpen', '1'), rule('-resize', '100x100')], 4000, 3000), undefined, 'not a plain resize')
  t.equal(cascadeSource([rule('-resize', '50%'), rule('-resize', '100x100')], 4000, 3000), undefined)
  t.equal(cascadeSource([DEFAULT_RESIZING[0]], 4000, 3000), undefined, 'one size: nothing to feed')
})

t.test('only a resize to a square box commutes with turning the image', async t => {
  t.equal(commutesWithTurn(DEFAULT_RESIZING[0]), true, '1500x1500>')
  t.equal(commutesWithTurn(rule('-resize', '200x200^', '-quality', '90')), true)
  t.equal(commutesWithTurn(rule('-resize', '500x300')), false, 'a landscape box turns into a portrait one')
  t.equal(commutesWithTurn(rule('-resize', '50%')), false)
  t.equal(commutesWithTurn(rule('-quality', '90')), false)
})

t.test('a run\'s memory follows the pixels it decodes: after shrink-on-load, every frame', async t => {
  const jpeg = pipelineMemory(DEFAULT_RESIZING, true, 6000, 4000)
  t.equal(jpeg, pipelineMemory(DEFAULT_RESIZING, false, 3000, 2000), '24 MP JPEG: as much as its 6 MP decode')
  t.equal(pipelineMemory(DEFAULT_RESIZING, false, 6000, 4000), 4 * jpeg, 'a PNG decodes whole')
  t.equal(pipelineMemory(DEFAULT_RESIZING, false, 6000, 4000, 3), 12 * jpeg, 'a GIF holds every frame')
})
