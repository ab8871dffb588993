import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { peakRss } from '../test/process-tree.js'
import { jpegFill, svgSpacedWidth, webpExifLength, webpJunk } from '../test/security/hostile-files.js'
import { manyImagesHeic } from '../test/security/hostile-heif.js'
import { mb, s, type Run } from './report.js'
import { BOUNDARY, multipartBody, startService, type RunningService } from './service.js'

/** Sends `path` as an upload: the status and the seconds to the answer, whatever the answer. */
async function send (service: RunningService, path: string): Promise<{ status: number, seconds: number }> {
  const body = multipartBody(path)
  const started = performance.now()
  const response = await fetch(`${service.url}/upload`, { method: 'POST', body, headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` } })
  await response.arrayBuffer()
  return { status: response.status, seconds: (performance.now() - started) / 1000 }
}

/**
 * The small uploads of issue 25 that killed or froze the service, each alone: its answer and
 * time, the slowest /ping answered meanwhile (the event loop's delay, seen from outside), and the
 * service tree's peak memory.
 */
export async function hostileUploads (run: Run): Promise<void> {
  const dir = join(run.dir, 'hostile')
  const svgComments = join(run.dir, 'comments.svg')
  writeFileSync(svgComments, `${'<!---->'.repeat(40)}x`)
  const inputs: Array<[string, () => string]> = [
    ['WebP, EXIF length 0xFFFFFFF0 (860 B)', () => webpExifLength(run.dir, 0xFFFFFFF0)],
    ['SVG head: 40 empty comments then x', () => svgComments],
    ['SVG width "1" + 1 MB of spaces + "!"', () => svgSpacedWidth(run.dir, 1024 * 1024)],
    ['JPEG 64×48 + 1 MiB of 0xFF fill bytes', () => jpegFill(run.dir, 1024 * 1024)],
    ['WebP + 1 MiB of empty JUNK chunks', () => webpJunk(run.dir, 131_072)],
    ['HEIC 64×64 + 200 images of 4096×4096 (shared bytes)', () => manyImagesHeic(run.dir, 200, 4096)]
  ]
  for (const [name, make] of inputs) {
    const path = make()
    const service = await startService(join(dir, String(inputs.findIndex(([each]) => each === name))), run.env, {})
    const peak = peakRss(service.child.pid as number)
    let slowestPing = 0
    const sending = new AbortController()
    const pings = (async () => {
      while (!sending.signal.aborted) {
        const started = performance.now()
        await fetch(`${service.url}/ping`).then(async response => await response.arrayBuffer())
        slowestPing = Math.max(slowestPing, performance.now() - started)
      }
    })()
    const { status, seconds } = await send(service, path)
    sending.abort()
    await pings
    const bytes = peak()
    await service.stop()
    run.report(name, `${status} in ${s(seconds)}`, `slowest /ping ${(slowestPing / 1000).toFixed(3)} s`, `peak ${mb(bytes)} (service tree)`)
  }
}
