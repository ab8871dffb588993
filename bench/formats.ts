import { execFile } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { gridHeic } from '../test/heif-grid.js'
import { s, type Run } from './report.js'
import { startService, upload } from './service.js'

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

/**
 * One 4000×3000 photo uploaded as the JPEG a camera writes and as the HEIC, AVIF and WebP made
 * from it (libheif's default quality, about the size an iPhone writes; WebP at 80), each upload
 * taken in turn with the others: the median of each, against the JPEG's. The HEIC twice: in 512
 * px tiles, as an iPhone writes it, and as one image, as heif-enc writes it (libheif decodes one
 * image on one core).
 */
export async function formats (run: Run, jpeg: string, runs: number): Promise<void> {
  const made = {
    'HEIC in tiles': join(run.dir, '12mp-tiles.heic'),
    'HEIC in one image': join(run.dir, '12mp.heic'),
    AVIF: join(run.dir, '12mp.avif'),
    WebP: join(run.dir, '12mp.webp')
  }
  mkdirSync(join(run.dir, 'tiles'))
  await gridHeic(jpeg, 4000, 3000, join(run.dir, 'tiles'), made['HEIC in tiles'], 50)
  await promisify(execFile)('heif-enc', ['-q', '50', jpeg, '-o', made['HEIC in one image']])
  await promisify(execFile)('heif-enc', ['-A', '-q', '50', '-p', 'speed=8', jpeg, '-o', made.AVIF])
  await promisify(execFile)('convert', [jpeg, '-quality', '80', made.WebP])
  const service = await startService(join(run.dir, 'formats'), run.env, {})
  const times: Record<string, number[]> = Object.fromEntries(['JPEG', ...Object.keys(made)].map(name => [name, []]))
  for (let i = 0; i < runs; i++) {
    for (const [name, path] of Object.entries({ JPEG: jpeg, ...made })) times[name].push((await upload(service, path)).seconds)
  }
  await service.stop()
  const base = median(times.JPEG)
  for (const name of Object.keys(made)) {
    run.report(`12 MP upload as ${name}, median`, s(median(times[name])), `the same photo as JPEG ${s(base)}`, `ratio ${(median(times[name]) / base).toFixed(2)}`)
  }
}
