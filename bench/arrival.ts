import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { variantKeys } from '../src/keys.js'
import { s, type Run } from './report.js'
import { startService, upload } from './service.js'

const DELAY_MS = 1000
const RUNS = 10

/**
 * As the older service's own test does: a 1000×700 JPEG uploaded, published at once with WebP and
 * AVIF on and THUMBNAILS_PUBLISH_DELAY=1000, and the seconds from the publish's answer until its
 * six variants are all in active, ten times.
 */
export async function variantArrival (run: Run): Promise<void> {
  const path = join(run.dir, 'arrival.jpg')
  await promisify(execFile)('convert', ['-size', '1000x700', '-seed', '7', 'plasma:', '-quality', '90', path])
  const service = await startService(join(run.dir, 'arrival'), run.env, { GENERATE_WEBP: '1', GENERATE_AVIF: '1', THUMBNAILS_PUBLISH_DELAY: String(DELAY_MS) })
  const seconds: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const { key } = await upload(service, path)
    const published = await fetch(`${service.url}/publish`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ secret: 'bench', filename: key }) })
    if (!published.ok) throw new Error(`publish failed: ${published.status} ${await published.text()}`)
    const answered = performance.now()
    const variants = variantKeys(key, ['BI', 'MI', 'SI'], ['webp', 'avif']).map(variant => join(service.active, variant))
    while (!variants.every(variant => existsSync(variant))) await new Promise(resolve => setTimeout(resolve, 5))
    seconds.push((performance.now() - answered) / 1000)
  }
  await service.stop()
  const within = seconds.filter(each => each <= DELAY_MS / 1000 + 1).length
  const sorted = [...seconds].sort((a, b) => a - b)
  run.report('six WebP/AVIF variants in active after a publish (delay 1 s), 1000×700 JPEG', `median ${s(sorted[RUNS / 2])}, slowest ${s(sorted[RUNS - 1])}`, `within delay + 1 s: ${within} of ${RUNS}`)
}
