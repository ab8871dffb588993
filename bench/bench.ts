import { execFile } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { parseCommandLine, usageError, type Env, type Io } from '../src/cli/io.js'
import { pendingMarker } from '../src/keys.js'
import { DEFAULT_RESIZING } from '../src/config/resizing.js'
import { withOrientation } from '../test/exif.js'
import { cpuSeconds, peakRss } from '../test/process-tree.js'
import { variantArrival } from './arrival.js'
import { formats } from './formats.js'
import { hostileUploads } from './hostile.js'
import { flood, hostileSvgs, underLoad } from './limits.js'
import { mb, s, type Run } from './report.js'
import { startService, upload, type RunningService } from './service.js'

const USAGE = `Usage: npm run bench -- [--runs N] [--limits-only | --formats-only | --hostile-only | --arrival-only]
Times the compiled service against the plain per-size ImageMagick commands, on camera-like
JPEGs it generates: the median of N uploads each (default 5), bursts with their peak memory,
a 100 MP photo, and the CPU of an upload with WebP and AVIF on. Then the limits: four clients
uploading 12 MP photos back to back with WebP and AVIF on (p50 and p90 against a quiet upload),
blur-bomb SVGs, and an upload during a /ready and a /ping flood (--limits-only runs just these).
Then one 12 MP photo uploaded as JPEG, HEIC, AVIF and WebP (--formats-only runs just this).
Then the hostile uploads of issue 25, each alone: answer, time, slowest /ping meanwhile, peak
memory (--hostile-only runs just these). Then how soon a publish's six WebP/AVIF variants are in
active, ten times (--arrival-only runs just this).
Prints a Markdown table.`

const convert = async (...args: string[]): Promise<unknown> => await promisify(execFile)('convert', args)
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

/** `npm run bench`: the service against the plain per-size commands, timed in the same run. */
export async function main (argv: string[], env: Env, io: Io): Promise<number> {
  const parsed = parseCommandLine({ args: argv, options: { runs: { type: 'string', default: '5' }, 'limits-only': { type: 'boolean', default: false }, 'formats-only': { type: 'boolean', default: false }, 'hostile-only': { type: 'boolean', default: false }, 'arrival-only': { type: 'boolean', default: false }, help: { type: 'boolean', default: false } } }, USAGE, io)
  if (parsed === undefined) return 2
  if (parsed.values.help) {
    io.stdout.write(`${USAGE}\n`)
    return 0
  }
  const runs = Number(parsed.values.runs)
  if (!Number.isInteger(runs) || runs < 1) return usageError(io, USAGE, `--runs takes a whole number greater than 0 (got "${parsed.values.runs}")`)
  const dir = mkdtempSync(join(tmpdir(), 'image-bench-'))
  const rows: string[][] = []
  const report = (...row: string[]): void => {
    rows.push(row)
    io.stderr.write(`${row.join(' | ')}\n`)
  }
  try {
    io.stderr.write(`generating images in ${dir}\n`)
    const run = { dir, env, report }
    const twelve = await photo(run, '12mp.jpg', '4000x3000')
    const only = parsed.values['limits-only'] ? 'limits' : parsed.values['formats-only'] ? 'formats' : parsed.values['hostile-only'] ? 'hostile' : parsed.values['arrival-only'] ? 'arrival' : undefined
    if (only === undefined) await measure(run, runs)
    if (only === undefined || only === 'limits') {
      await underLoad(run, twelve)
      await underLoad(run, twelve, { AUTO_ORIENT_ORIGINAL: '1' })
      await hostileSvgs(run)
      await flood(run, twelve, '/ready')
      await flood(run, twelve, '/ping')
    }
    if (only === undefined || only === 'formats') await formats(run, await photo(run, '12mp-upright.jpg', '4000x3000', { orientation: 1 }), runs)
    if (only === undefined || only === 'hostile') await hostileUploads(run)
    if (only === undefined || only === 'arrival') await variantArrival(run)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  io.stdout.write('| measure | service | compared with | |\n| --- | --- | --- | --- |\n')
  for (const row of rows) io.stdout.write(`| ${row.join(' | ')} |\n`)
  return 0
}

async function measure (run: Run, runs: number): Promise<void> {
  const images = {
    '24 MP': await photo(run, '24mp.jpg', '6000x4000'),
    '12 MP': await photo(run, '12mp.jpg', '4000x3000'),
    '24 MP 4:4:4': await photo(run, '24mp-444.jpg', '6000x4000', { sampling: '1x1' })
  }
  const service = await startService(join(run.dir, 'service'), run.env, { AUTO_ORIENT_ORIGINAL: '1' })
  for (const [name, path] of Object.entries(images)) {
    // Taken in turns, so that both see the same drift in the machine's speed.
    const baseTimes: number[] = []
    const ours: number[] = []
    for (let i = 0; i < runs; i++) {
      baseTimes.push(await timed(async () => await baseline(run, path)))
      ours.push((await upload(service, path)).seconds)
    }
    const base = median(baseTimes)
    run.report(`${name} upload, median`, s(median(ours)), `baseline ${s(base)}`, `ratio ${(median(ours) / base).toFixed(2)}`)
  }
  await burst(run, service, images['24 MP'], 8)
  await burst(run, service, images['24 MP'], 16)
  await burst(run, service, images['24 MP 4:4:4'], 8, '24 MP 4:4:4')

  const oldBurst = peakRss(process.pid)
  const oldSeconds = await timed(async () => await Promise.all(Array.from({ length: 8 }, async () => await baseline(run, images['24 MP']))))
  run.report('baseline burst of 8 × 24 MP (unbounded)', s(oldSeconds), `${Math.round(8 / oldSeconds * 60)} uploads/min`, `peak ${mb(oldBurst())} (with this script's own)`)

  // ImageMagick's policy forbids a 100 MP canvas: jpegtran extends a small JPEG's instead.
  const huge = join(run.dir, '100mp.jpg')
  await promisify(execFile)('jpegtran', ['-crop', '12000x8400+0+0', '-outfile', huge, await photo(run, 'small.jpg', '1200x840', { orientation: 1 })])
  const big = await upload(service, huge)
  const stem = big.key.replace('.jpg', '')
  const made = DEFAULT_RESIZING.every(rule => existsSync(join(service.incoming, `${stem}${rule.suffix}.jpg`)))
  run.report('100 MP upload', s(big.seconds), made ? 'all thumbnails made' : 'THUMBNAILS MISSING')
  await service.stop()
  await variantsCpu(run, images['24 MP'])
}

/**
 * A camera-like JPEG: detail everywhere (plasma), quality 92, chroma at half resolution each way
 * (4:2:0, as phones and most cameras write it; `1x1` keeps it whole), stored sideways (EXIF orientation 6).
 */
async function photo ({ dir }: Run, name: string, size: string, { orientation = 6, sampling = '2x2' } = {}): Promise<string> {
  const plain = join(dir, `plain-${name}`)
  await convert('-size', size, '-seed', '7', 'plasma:', '-quality', '92', '-sampling-factor', sampling, plain)
  return withOrientation(plain, orientation, join(dir, name))
}

/** What the older service did: turn the original upright in place, then one convert per size. */
async function baseline ({ dir }: Run, path: string, formats = ['jpg'], orient = true): Promise<void> {
  const work = join(dir, `base-${Math.random().toString(16).slice(2)}.jpg`)
  copyFileSync(path, work)
  if (orient) await convert(work, '-auto-orient', work)
  for (const format of formats) {
    for (const rule of DEFAULT_RESIZING) await convert(work, ...(orient ? [] : ['-auto-orient']), ...rule.convert, `${work}-${rule.suffix}.${format}`)
  }
  rmSync(work)
}

async function timed (task: () => Promise<unknown>): Promise<number> {
  const started = performance.now()
  await task()
  return (performance.now() - started) / 1000
}

async function burst (run: Run, service: RunningService, path: string, count: number, name = '24 MP'): Promise<void> {
  const stop = peakRss(service.child.pid as number)
  const seconds = await timed(async () => await Promise.all(Array.from({ length: count }, async () => await upload(service, path))))
  run.report(`burst of ${count} × ${name}`, s(seconds), `${Math.round(count / seconds * 60)} uploads/min`, `peak ${mb(stop())}`)
}

/** CPU seconds of one upload whose WebP and AVIF are made in the background, against nine per-size commands. */
async function variantsCpu (run: Run, path: string): Promise<void> {
  const service = await startService(join(run.dir, 'variants'), run.env, { AUTO_ORIENT_ORIGINAL: '1', GENERATE_WEBP: '1', GENERATE_AVIF: '1' })
  const pid = service.child.pid as number
  const before = cpuSeconds(pid)
  const { key } = await upload(service, path)
  const last = join(service.incoming, key.replace('.jpg', 'SI.avif'))
  while (!existsSync(last) || existsSync(join(service.incoming, pendingMarker(key)))) await new Promise(resolve => setTimeout(resolve, 20))
  const oursCpu = cpuSeconds(pid) - before
  await service.stop()
  const selfBefore = cpuSeconds('self')
  await baseline(run, path, ['jpg', 'webp', 'avif'], false)
  const nineCpu = cpuSeconds('self') - selfBefore
  run.report('CPU per 24 MP upload, WebP + AVIF on', s(oursCpu), `nine per-size commands ${s(nineCpu)}`, `ratio ${(oursCpu / nineCpu).toFixed(2)}`)
}
