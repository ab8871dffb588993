import t from 'tap'
import { familyKeys, formatOf, isOriginal, keyPattern, newKey, thumbnailKey } from '../src/keys.js'

const suffixes = ['BI', 'MI', 'SI']
const pattern = new RegExp(keyPattern(suffixes))

t.test('new keys are <unix seconds>_<10 random digits>.<ext> and differ', async t => {
  const before = Math.floor(Date.now() / 1000)
  const keys = Array.from({ length: 200 }, () => newKey('png'))
  const after = Math.floor(Date.now() / 1000)
  for (const key of keys) t.match(key, /^\d{10}_\d{10}\.png$/)
  const seconds = Number(keys[0].split('_')[0])
  t.ok(seconds >= before && seconds <= after, 'the seconds are now')
  t.equal(new Set(keys).size, keys.length, 'no two keys alike')
})

t.test('the key pattern takes new keys, the older service\'s shorter keys and variants', async t => {
  t.match(newKey('jpg'), pattern)
  t.match('1475660224_882910455.jpg', pattern)
  t.match('1732790000_0123456789MI.jpg', pattern)
  t.match('1732790000_1.svg', pattern)
  for (const bad of ['../etc/passwd', '1732790000_0123456789.tiff', '1732790000_01234567890.jpg', '173279000_1.jpg',
    '1732790000_1XX.jpg', '1732790000_1.jpg/..', 'a1732790000_1.jpg', '1732790000_.jpg']) {
    t.notMatch(bad, pattern, bad)
  }
})

t.test('thumbnails keep the format, but SVG thumbnails are JPEG; variants follow them', async t => {
  t.equal(formatOf('1732790000_0123456789.gif'), 'gif')
  t.equal(thumbnailKey('1732790000_0123456789.png', 'MI'), '1732790000_0123456789MI.png')
  t.same(familyKeys('1732790000_1.svg', suffixes), ['1732790000_1BI.jpg', '1732790000_1MI.jpg', '1732790000_1SI.jpg'])
  t.same(familyKeys('1732790000_1.png', ['BI'], ['webp', 'avif']), ['1732790000_1BI.png', '1732790000_1BI.webp', '1732790000_1BI.avif'])
})

t.test('an original is a key without a size suffix', async t => {
  t.equal(isOriginal('1732790000_0123456789.jpg'), true)
  t.equal(isOriginal('1475660224_882910455.svg'), true)
  t.equal(isOriginal('1732790000_0123456789MI.jpg'), false)
  t.equal(isOriginal('1732790000_0123456789.webp'), false)
  t.equal(isOriginal('photo.jpg'), false)
})
