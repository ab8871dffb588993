import { execFile } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { DEFAULT_RESIZING } from '../resizing.js'
import { withOrientation } from './bench/exif.js'
import { cpuSeconds, peakRss } from './bench/process-tree.js'
import { startService, upload, type RunningService } from './bench/service.js'

// `npm run bench`: the service against the plain per-size commands, timed in the same run.
const convert = async (...args: string[]): Promise<unknown> => await promisify(execFile)('convert', args)
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const mb = (bytes: number): string => `${Math.round(bytes / 1024 / 1024)} MB`
const s = (seconds: number): string => `${seconds.toFixed(2)} s`
const RUNS = 5

const dir = mkdtempSync(join(tmpdir(), 'image-bench-'))
const rows: string[][] = []
const report = (...row: string[]): void => { rows.push(row); console.error(row.join(' | ')) }

/**
 * A camera-like JPEG: detail everywhere (plasma), quality 92, chroma at half resolution each way
 * (4:2:0, as phones and most cameras write it; `1x1` keeps it whole), stored sideways (EXIF orientation 6).
 */
async function photo (name: string, size: string, { orientation = 6, sampling = '2x2' } = {}): Promise<string> {
  const plain = join(dir, `plain-${name}`)
  await convert('-size', size, '-seed', '7', 'plasma:', '-quality', '92', '-sampling-factor', sampling, plain)
  return withOrientation(plain, orientation, join(dir, name))
}

/** What the older service did: turn the original upright in place, then one convert per size. */
async function baseline (path: string, formats = ['jpg'], orient = true): Promise<void> {
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

async function burst (service: RunningService, path: string, count: number, name = '24 MP'): Promise<void> {
  const stop = peakRss(service.child.pid as number)
  const seconds = await timed(async () => await Promise.all(Array.from({ length: count }, async () => await upload(service, path))))
  report(`burst of ${count} × ${name}`, s(seconds), `${Math.round(count / seconds * 60)} uploads/min`, `peak ${mb(stop())}`)
}

async function main (): Promise<void> {
  console.error(`generating images in ${dir}`)
  const images = {
    '24 MP': await photo('24mp.jpg', '6000x4000'),
    '12 MP': await photo('12mp.jpg', '4000x3000'),
    '24 MP 4:4:4': await photo('24mp-444.jpg', '6000x4000', { sampling: '1x1' })
  }
  const service = await startService(join(dir, 'service'), { AUTO_ORIENT_ORIGINAL: '1' })
  for (const [name, path] of Object.entries(images)) {
    // Taken in turns, so that both see the same drift in the machine's speed.
    const baseTimes: number[] = []
    const ours: number[] = []
    for (let i = 0; i < RUNS; i++) {
      baseTimes.push(await timed(async () => await baseline(path)))
      ours.push((await upload(service, path)).seconds)
    }
    const base = median(baseTimes)
    report(`${name} upload, median`, s(median(ours)), `baseline ${s(base)}`, `ratio ${(median(ours) / base).toFixed(2)}`)
  }
  await burst(service, images['24 MP'], 8)
  await burst(service, images['24 MP'], 16)
  await burst(service, images['24 MP 4:4:4'], 8, '24 MP 4:4:4')

  const oldBurst = peakRss(process.pid)
  const oldSeconds = await timed(async () => await Promise.all(Array.from({ length: 8 }, async () => await baseline(images['24 MP']))))
  report('baseline burst of 8 × 24 MP (unbounded)', s(oldSeconds), `${Math.round(8 / oldSeconds * 60)} uploads/min`, `peak ${mb(oldBurst())} (with this script's own)`)

  // ImageMagick's policy forbids a 100 MP canvas: jpegtran extends a small JPEG's instead.
  const huge = join(dir, '100mp.jpg')
  await promisify(execFile)('jpegtran', ['-crop', '12000x8400+0+0', '-outfile', huge, await photo('small.jpg', '1200x840', { orientation: 1 })])
  const big = await upload(service, huge)
  const stem = big.key.replace('.jpg', '')
  const made = DEFAULT_RESIZING.every(rule => existsSync(join(service.incoming, `${stem}${rule.suffix}.jpg`)))
  report('100 MP upload', s(big.seconds), made ? 'all thumbnails made' : 'THUMBNAILS MISSING')
  await service.stop()

  const variantService = await startService(join(dir, 'variants'), { AUTO_ORIENT_ORIGINAL: '1', GENERATE_WEBP: '1', GENERATE_AVIF: '1' })
  const pid = variantService.child.pid as number
  const before = cpuSeconds(pid)
  const { key } = await upload(variantService, images['24 MP'])
  const last = join(variantService.incoming, key.replace('.jpg', 'SI.avif'))
  while (!existsSync(last) || existsSync(join(variantService.incoming, `${key}.pending`))) await new Promise(resolve => setTimeout(resolve, 20))
  const oursCpu = cpuSeconds(pid) - before
  await variantService.stop()
  const selfBefore = cpuSeconds('self')
  await baseline(images['24 MP'], ['jpg', 'webp', 'avif'], false)
  const nineCpu = cpuSeconds('self') - selfBefore
  report('CPU per 24 MP upload, WebP + AVIF on', s(oursCpu), `nine per-size commands ${s(nineCpu)}`, `ratio ${(oursCpu / nineCpu).toFixed(2)}`)

  console.log('| measure | service | compared with | |\n| --- | --- | --- | --- |')
  for (const row of rows) console.log(`| ${row.join(' | ')} |`)
  rmSync(dir, { recursive: true, force: true })
}

await main()
