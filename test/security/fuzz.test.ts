import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { sniffFormat } from '../../src/imaging/detect-format.js'
import { readOrientation, setOrientation } from '../../src/imaging/exif.js'
import { heifBrand } from '../../src/imaging/heif.js'
import { heifLayout } from '../../src/imaging/heif-items.js'
import { jpegSegments, uprightSegments } from '../../src/imaging/jpeg-segments.js'
import { inspectSvg } from '../../src/imaging/svg-check.js'
import { inlineEntities, inlineSvgEntities } from '../../src/imaging/svg-entities.js'
import { cssExternal, looksLikeSvg, splitLength } from '../../src/imaging/svg-scan.js'
import { findWebpExif } from '../../src/imaging/webp.js'
import { countingSource } from '../counting-source.js'
import { makeImage, withOrientation } from '../helpers.js'
import { jpegFill, webpExifLength, webpJunk } from './hostile-files.js'
import { manyImagesHeic, plainHeic, secondIsPrimaryHeic } from './hostile-heif.js'

// Each of our parsers of uploaded bytes over thousands of mutated real files. Seeded: a failure
// names its seed and input, and FUZZ_SEED=<seed> runs that seed again.
const SEED = Number(process.env.FUZZ_SEED ?? 25)
const INPUTS = 3000
const SVG_FILES = 300
// Bounds on the work of one input, whatever its bytes: steps (reads), and bytes asked for
// beside the file's own (no allocation follows a length the file states but does not hold).
const MAX_STEPS = 1100
const MAX_EXTRA_BYTES = 64 * 1024

/** mulberry32: a small PRNG, the same sequence for the same seed. */
function random (seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6D2B79F5) >>> 0
    let x = Math.imul(state ^ (state >>> 15), 1 | state)
    x ^= x + Math.imul(x ^ (x >>> 7), 61 | x)
    return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32
  }
}

const EXTREMES = [0, 1, 2, 7, 8, 0xFF, 0xFFFF, 0x7FFFFFFF, 0x7FFFFFF0, 0xFFFFFFF0, 0xFFFFFFFF]

/** One to four mutations of `base`: flipped bytes, a 16- or 32-bit field set to an extreme, cut, repeated or inserted runs. */
function mutate (base: Buffer, next: () => number): Buffer {
  let bytes = Buffer.from(base)
  const at = (): number => Math.floor(next() * bytes.length)
  for (let n = 1 + Math.floor(next() * 4); n > 0 && bytes.length > 8; n--) {
    const kind = Math.floor(next() * 6)
    if (kind === 0) bytes[at()] = Math.floor(next() * 256)
    if (kind === 1) bytes.writeUInt32BE(EXTREMES[Math.floor(next() * EXTREMES.length)], Math.min(at(), bytes.length - 4))
    if (kind === 2) bytes.writeUInt16BE(EXTREMES[Math.floor(next() * EXTREMES.length)] & 0xFFFF, Math.min(at(), bytes.length - 2))
    if (kind === 3) bytes = bytes.subarray(0, at())
    if (kind === 4) {
      const start = at()
      const run = bytes.subarray(start, start + Math.floor(next() * 64))
      bytes = Buffer.concat([bytes.subarray(0, start), run, run, bytes.subarray(start)])
    }
    if (kind === 5) {
      const start = at()
      bytes = Buffer.concat([bytes.subarray(0, start), Buffer.alloc(Math.floor(next() * 32), Math.floor(next() * 256)), bytes.subarray(start)])
    }
  }
  return bytes
}

/** Runs every parser of uploaded bytes on `bytes`; what is wrong with the run, if anything. */
async function parseAll (bytes: Buffer): Promise<string | undefined> {
  const parsers: Array<[string, (source: ReturnType<typeof countingSource>) => Promise<unknown>]> = [
    ['jpegSegments', jpegSegments],
    ['uprightSegments', uprightSegments],
    ['findWebpExif', async source => {
      const exif = await findWebpExif(source)
      return exif === undefined ? undefined : readOrientation(exif)
    }],
    ['heifLayout', heifLayout]
  ]
  for (const [name, parse] of parsers) {
    const source = countingSource(bytes)
    try {
      await parse(source)
    } catch (error) {
      return `${name} threw ${String(error)}`
    }
    if (source.reads > MAX_STEPS) return `${name} took ${source.reads} steps`
    if (source.bytesAsked > bytes.length + MAX_EXTRA_BYTES) return `${name} asked for ${source.bytesAsked} bytes of ${bytes.length}`
  }
  try {
    const tiff = Buffer.from(bytes)
    readOrientation(tiff)
    setOrientation(tiff, 1)
    sniffFormat(bytes.subarray(0, 4096))
    heifBrand(bytes)
    const text = bytes.toString('utf8')
    looksLikeSvg(text)
    inlineEntities(text)
    splitLength(text.trim())
    cssExternal(text)
  } catch (error) {
    return `a buffer parser threw ${String(error)}`
  }
  return undefined
}

t.test(`every parser of uploaded bytes, over ${INPUTS} mutated real files and the hostile shapes (seed ${SEED})`, async t => {
  const dir = t.testdir()
  const jpeg = withOrientation(makeImage(dir, 'a.jpg', '64x48'), 6, join(dir, 'exif.jpg'))
  const webp = makeImage(dir, 'a.webp', '64x48', { args: ['-alpha', 'set'] })
  execFileSync('exiftool', ['-q', '-overwrite_original', '-Orientation#=8', webp])
  const clear = makeImage(dir, 'clear.png', '40x30', { coder: 'png32', args: ['-depth', '8', '-alpha', 'set', '-channel', 'A', '-evaluate', 'set', '50%'] })
  execFileSync('heif-enc', ['-A', '-q', '50', clear, '-o', join(dir, 'clear.avif')])
  const bases = [
    jpeg, webp, join(dir, 'clear.avif'), plainHeic(dir, 'plain.heic', '40x30'), manyImagesHeic(dir, 3, 4096),
    secondIsPrimaryHeic(dir, '80x60'), makeImage(dir, 'a.png', '20x10'), makeImage(dir, 'a.gif', '20x10'),
    webpExifLength(dir, 0xFFFFFFF0), webpJunk(dir, 200), jpegFill(dir, 2000)
  ].map(path => readFileSync(path))
  const next = random(SEED)
  const problems: string[] = []
  for (let i = 0; i < INPUTS; i++) {
    const input = mutate(bases[i % bases.length], next)
    const problem = await parseAll(input)
    if (problem !== undefined) problems.push(`input ${i}: ${problem} (bytes ${input.subarray(0, 64).toString('hex')}…)`)
  }
  for (const base of bases) {
    const problem = await parseAll(base)
    if (problem !== undefined) problems.push(`a base file: ${problem}`)
  }
  t.same(problems.slice(0, 5), [], `${problems.length} of ${INPUTS} inputs went wrong`)
})

t.test(`the SVG check over ${SVG_FILES} mutated SVGs: an answer for each, never a throw (seed ${SEED})`, async t => {
  const dir = t.testdir()
  const subset = Buffer.from('<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "svg11.dtd" [\n<!ENTITY ns_ai "http://ns.adobe.com/AdobeIllustrator/10.0/">\n<!-- a comment -->\n<!ENTITY ns_x \'a "quoted" b\'>\n]>\n' +
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:i="&ns_ai;" width="10" height="10"><!-- &ns_x; --><text title="&ns_x;"><![CDATA[&ns_ai;]]>&ns_ai;&amp;</text></svg>')
  const base = Buffer.from('<?xml version="1.0"?>\n<!-- a comment -->\n<!DOCTYPE svg>\n<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="12.5em" height="3e1" viewBox="0 0 10 10">' +
    '<style>rect { fill: url(#g) }</style><image href="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="/>' +
    '<a xlink:href="#x"><rect width="5" height="5" style="fill: url( \'#g\' )"/></a></svg>')
  const next = random(SEED)
  const problems: string[] = []
  for (let i = 0; i < SVG_FILES; i++) {
    const path = join(dir, `${i}.svg`)
    writeFileSync(path, mutate(i % 2 === 0 ? base : subset, next))
    await inlineSvgEntities(path).then(async () => await inspectSvg(path)).catch(error => problems.push(`${i}.svg: ${String(error)}`))
  }
  t.same(problems, [])
  writeFileSync(join(dir, 'subset.svg'), subset)
  await inlineSvgEntities(join(dir, 'subset.svg'))
  t.same(await inspectSvg(join(dir, 'subset.svg')), { width: 10, height: 10 }, 'the unmutated base is taken, and safe')
})
