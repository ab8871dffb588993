import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { s, type Run } from './report.js'
import { startService, upload } from './service.js'

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

/**
 * One 12 MP photo uploaded as the JPEG a camera writes and as the HEIC, AVIF and WebP made from
 * it (libheif's default quality, about what an iPhone writes; WebP at 80), each upload taken in
 * turn with the others: the median of each, against the JPEG's.
 */
export async function formats (run: Run, jpeg: string, runs: number): Promise<void> {
  const made = {
    HEIC: join(run.dir, '12mp.heic'),
    AVIF: join(run.dir, '12mp.avif'),
    WebP: join(run.dir, '12mp.webp')
  }
  await promisify(execFile)('heif-enc', ['-q', '50', jpeg, '-o', made.HEIC])
  await promisify(execFile)('heif-enc', ['-A', '-q', '50', '-p', 'speed=8', jpeg, '-o', made.AVIF])
  await promisify(execFile)('convert', [jpeg, '-quality', '80', made.WebP])
  const service = await startService(join(run.dir, 'formats'), run.env, {})
  const times: Record<string, number[]> = { JPEG: [], HEIC: [], AVIF: [], WebP: [] }
  for (let i = 0; i < runs; i++) {
    for (const [name, path] of Object.entries({ JPEG: jpeg, ...made })) times[name].push((await upload(service, path)).seconds)
  }
  await service.stop()
  const base = median(times.JPEG)
  for (const name of Object.keys(made)) {
    run.report(`12 MP upload as ${name}, median`, s(median(times[name])), `the same photo as JPEG ${s(base)}`, `ratio ${(median(times[name]) / base).toFixed(2)}`)
  }
}
