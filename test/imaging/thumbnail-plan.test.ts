import t from 'tap'
import { cascadeSource, commutesWithTurn, jpegSizeHint, pipelineArgs, pipelineMemory } from '../../src/imaging/thumbnail-plan.js'
import { DEFAULT_RESIZING } from '../../src/resizing.js'

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
  t.same(pipelineArgs(DEFAULT_RESIZING[2]), ['-resize', '200x200^', '-gravity', 'center', '-extent', '200x200', '-quality', '90'])
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
