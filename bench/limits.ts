import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { peakRss } from '../test/process-tree.js'
import { mb, s, type Run } from './report.js'
import { startService, upload, type RunningService } from './service.js'

const quantile = (values: number[], q: number): number => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * q))]
const pause = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))

/** Until the service owes no variant: nothing of the last uploads still runs. */
async function caughtUp (service: RunningService): Promise<void> {
  while (readdirSync(service.incoming).some(name => name.startsWith('pending-'))) await pause(50)
}

/**
 * Four clients uploading 12 MP photos back to back with WebP and AVIF on, against the same upload
 * on a quiet service: people's uploads go before the variants, which catch up afterwards.
 */
export async function underLoad (run: Run, photo: string, extra: Record<string, string> = {}, perClient = 5): Promise<void> {
  const service = await startService(join(run.dir, `load${Object.keys(extra).join('-')}`), run.env, { GENERATE_WEBP: '1', GENERATE_AVIF: '1', ...extra })
  const quiet: number[] = []
  for (let i = 0; i < 3; i++) {
    quiet.push((await upload(service, photo)).seconds)
    await caughtUp(service)
  }
  const quietMedian = quantile(quiet, 0.5)
  const loaded: number[] = []
  const started = performance.now()
  await Promise.all([1, 2, 3, 4].map(async () => {
    for (let i = 0; i < perClient; i++) loaded.push((await upload(service, photo)).seconds)
  }))
  const uploadsDone = performance.now()
  await caughtUp(service)
  const catchUp = (performance.now() - uploadsDone) / 1000
  await service.stop()
  const [p50, p90] = [quantile(loaded, 0.5), quantile(loaded, 0.9)]
  const settings = Object.entries(extra).map(([name, value]) => `, ${name}=${value}`).join('')
  run.report(`4 clients × 12 MP back to back, WebP + AVIF on${settings}`, `p50 ${s(p50)}, p90 ${s(p90)}`, `quiet ${s(quietMedian)}`,
    `p50 ${(p50 / quietMedian).toFixed(2)}×, p90 ${(p90 / quietMedian).toFixed(2)}×; uploads ${s((uploadsDone - started) / 1000)}, variants caught up ${s(catchUp)} later`)
}

/** The SVGs that once took gigabytes, all at once: the service's process tree and the slowest answer. */
export async function hostileSvgs (run: Run): Promise<void> {
  const blur = '<filter id="b"><feGaussianBlur stdDeviation="40"/></filter><rect width="100%" height="100%" fill="red" filter="url(#b)"/>'
  const files = {
    'blur.svg': `<svg xmlns="http://www.w3.org/2000/svg" width="12000" height="12000">${blur}</svg>`,
    'em.svg': `<svg xmlns="http://www.w3.org/2000/svg" width="1200em" height="800em">${blur}</svg>`
  }
  const paths = Object.entries(files).map(([name, text]) => {
    writeFileSync(join(run.dir, name), text)
    return join(run.dir, name)
  })
  const service = await startService(join(run.dir, 'svg'), run.env, {})
  const peak = peakRss(service.child.pid as number)
  const started = performance.now()
  const answers = await Promise.all([...paths, ...paths].map(async path => await upload(service, path).then(() => 'ok', (error: Error) => error.message)))
  const seconds = (performance.now() - started) / 1000
  const bytes = peak()
  await service.stop()
  run.report('4 blur-bomb SVGs at once (12000 px, 1200em)', s(seconds), `peak ${mb(bytes)} (service tree)`, answers.every(answer => answer === 'ok') ? 'all thumbnailed' : answers.join('; '))
}

/**
 * A 12 MP upload while 32 clients ask `path` as fast as they can, against the same upload alone:
 * /ready, and /ping for what the HTTP traffic alone costs.
 */
export async function flood (run: Run, photo: string, path: '/ready' | '/ping'): Promise<void> {
  const service = await startService(join(run.dir, `flood${path.slice(1)}`), run.env, {})
  const alone: number[] = []
  for (let i = 0; i < 3; i++) alone.push((await upload(service, photo)).seconds)
  const flooding = new AbortController()
  let asked = 0
  const flood = Promise.all(Array.from({ length: 32 }, async () => {
    while (!flooding.signal.aborted) {
      await fetch(`${service.url}${path}`).then(async response => await response.arrayBuffer())
      asked++
    }
  }))
  const during: number[] = []
  for (let i = 0; i < 3; i++) during.push((await upload(service, photo)).seconds)
  flooding.abort()
  await flood
  await service.stop()
  run.report(`12 MP upload during a ${path} flood (32 clients)`, s(quantile(during, 0.5)), `alone ${s(quantile(alone, 0.5))}`, `${asked} ${path} answered meanwhile`)
}
