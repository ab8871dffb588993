import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { main } from '../../src/cli/regenerate.js'
import { loadConfig } from '../../src/config/config.js'
import { createStores } from '../../src/storage/create-stores.js'
import type { Stores } from '../../src/storage/stores.js'
import { filesIn, identify, makeImage, workFiles } from '../helpers.js'
import { runMain } from '../io.js'
import { startS3 } from '../s3.js'
import { runCompiled } from '../server-process.js'

const JPEG = '1732790000_0000000001.jpg'
const PNG = '1475660224_882910455.png'
const CORRUPT = '1732790000_0000000003.jpg'
const stem = (key: string): string => key.slice(0, key.lastIndexOf('.'))
const regenerate = async (env: Record<string, string>, ...args: string[]): Promise<{ code: number, stdout: string, stderr: string }> => await runMain(main, env, ...args)

/** Active holds a JPEG with nothing, a PNG with only its BI thumbnail, and a JPEG whose bytes are broken. */
async function fill (dir: string, stores: Stores): Promise<void> {
  await stores.active.put(JPEG, makeImage(dir, 'a.jpg', '1200x800'))
  await stores.active.put(PNG, makeImage(dir, 'b.png', '600x300'))
  await stores.active.put(`${stem(PNG)}BI.png`, makeImage(dir, 'bi.png', '600x300'))
  const broken = join(dir, 'broken.jpg')
  // Its header up to the scan, then noise: no pixels to decode.
  const jpeg = readFileSync(makeImage(dir, 'c.jpg', '400x300'))
  writeFileSync(broken, Buffer.concat([jpeg.subarray(0, jpeg.indexOf(Buffer.from([0xFF, 0xDA]))), Buffer.alloc(2000, 0x55)]))
  await stores.active.put(CORRUPT, broken)
}

t.test('on local folders: backfill, resume, named keys, a corrupt original reported and skipped', async t => {
  const dir = t.testdir()
  const env = { INCOMING_FOLDER: join(dir, 'in'), ACTIVE_FOLDER: join(dir, 'act'), TEMP_FOLDER: join(dir, 'tmp'), GENERATE_WEBP: '1' }
  await fill(dir, await createStores(loadConfig(env)))
  const active = (key: string): string => join(dir, 'act', key)
  const original = readFileSync(active(JPEG))

  const dry = await regenerate(env, '--missing', '--dry-run')
  t.equal(dry.code, 0, dry.stdout)
  t.match(dry.stdout, `${JPEG}: ${stem(JPEG)}BI.jpg ${stem(JPEG)}MI.jpg ${stem(JPEG)}SI.jpg ${stem(JPEG)}BI.webp`)
  t.match(dry.stdout, `${PNG}: ${stem(PNG)}MI.png ${stem(PNG)}SI.png ${stem(PNG)}BI.webp`)
  t.match(dry.stdout, 'Would make 17 files for 3 images; 0 complete.')
  t.equal(filesIn(join(dir, 'act')).length, 4, 'a dry run makes nothing')

  const run = await regenerate(env, '--missing')
  t.equal(run.code, 1, 'a failed image fails the run')
  t.match(run.stderr, /3\/3 images, [\d.]+\/s, ETA 0 s, 1 failed\n$/, 'plain progress lines off a terminal')
  t.match(run.stdout, 'Made 11 files for 2 images; 0 complete; 1 failed.')
  t.match(run.stdout, `failed: ${CORRUPT}: `)
  t.match(identify(active(`${stem(JPEG)}BI.jpg`)), { format: 'JPEG', width: 1200, height: 800 })
  t.match(identify(active(`${stem(JPEG)}MI.webp`)), { format: 'WEBP', width: 400, height: 267 })
  t.match(identify(active(`${stem(PNG)}SI.png`)), { format: 'PNG', width: 200, height: 200 })
  t.match(identify(active(`${stem(PNG)}SI.webp`)), { format: 'WEBP', width: 200, height: 200 })
  t.same(readFileSync(active(JPEG)), original, 'the original is never touched')
  t.same(workFiles(join(dir, 'tmp')), [], 'temp folder empty')

  const again = await regenerate(env, '--missing')
  t.match(again.stdout, 'Made 0 files for 0 images; 2 complete; 1 failed.', 'resumes: only the broken one is left')

  const sizes = JSON.stringify([
    { suffix: 'BI', convert: ['-thumbnail', '1500x1500>', '-quality', '90'] },
    { suffix: 'XS', convert: ['-thumbnail', '64x64>'] }
  ])
  const newSize = await regenerate({ ...env, RESIZING_CONFIG: sizes }, '--missing', JPEG, PNG)
  t.equal(newSize.code, 0, newSize.stdout)
  t.match(newSize.stdout, 'Made 4 files for 2 images; 0 complete; 0 failed.')
  t.match(identify(active(`${stem(JPEG)}XS.webp`)), { format: 'WEBP', width: 64, height: 43 })

  const before = readFileSync(active(`${stem(JPEG)}MI.jpg`))
  writeFileSync(active(`${stem(JPEG)}MI.jpg`), 'stale')
  const named = await regenerate(env, JPEG)
  t.equal(named.code, 0, named.stdout)
  t.match(named.stdout, 'Made 6 files for 1 images')
  t.same(readFileSync(active(`${stem(JPEG)}MI.jpg`)), before, 'named without --missing: remade')
})

t.test('bad options say so on standard error, with the usage', async t => {
  const notKey = await regenerate({}, 'photo.jpg')
  t.equal(notKey.code, 2)
  t.match(notKey.stderr, /^Not an image key: photo.jpg\nUsage: image-backend-regenerate/)
  for (const args of [['--concurrency', '0'], ['--concurrency'], ['--all'], ['-x']]) {
    const usage = await regenerate({}, ...args)
    t.equal(usage.code, 2, args.join(' '))
    t.match(usage.stderr, '\nUsage: image-backend-regenerate', args.join(' '))
    t.equal(usage.stdout, '', args.join(' '))
  }
  for (const flag of ['--help', '-h']) {
    const help = await regenerate({}, flag)
    t.equal(help.code, 0)
    t.match(help.stdout, /^Usage: image-backend-regenerate/)
  }
  t.equal((await regenerate({ GENERATE_WEBP: 'maybe' })).code, 1, 'a bad variable')
})

t.test('the compiled program makes what is missing, as an operator runs it', async t => {
  const dir = t.testdir()
  const env = { INCOMING_FOLDER: join(dir, 'in'), ACTIVE_FOLDER: join(dir, 'act'), TEMP_FOLDER: join(dir, 'tmp') }
  const stores = await createStores(loadConfig(env))
  await stores.active.put(PNG, makeImage(dir, 'b.png', '600x300'))
  const run = await runCompiled('bin/regenerate.js', env, '--missing')
  t.equal(run.code, 0, run.output)
  t.match(run.output, 'Made 3 files for 1 images; 0 complete; 0 failed.')
  t.match(identify(join(dir, 'act', `${stem(PNG)}MI.png`)), { format: 'PNG', width: 400, height: 200 })
})

t.test('on S3: pages through the bucket, streams originals down and variants up', async t => {
  const s3 = await startS3(t)
  const dir = t.testdir()
  const env = { ...s3.env, TEMP_FOLDER: join(dir, 'tmp'), GENERATE_AVIF: '1' }
  const stores = await createStores(loadConfig(env))
  t.teardown(() => stores.close())
  await fill(dir, stores)
  const run = await regenerate(env, '--missing', '--concurrency', '1')
  t.equal(run.code, 1)
  t.match(run.stdout, 'Made 11 files for 2 images; 0 complete; 1 failed.')
  t.match(run.stdout, `failed: ${CORRUPT}`)
  const avif = await s3.head('active', `${stem(JPEG)}SI.avif`)
  t.equal(avif.ContentType, 'image/avif')
  await s3.download('active', `${stem(PNG)}MI.avif`, join(dir, 'mi.avif'))
  t.match(identify(join(dir, 'mi.avif')), { width: 400, height: 200 })
  t.same(await s3.keys('incoming'), [])
})
