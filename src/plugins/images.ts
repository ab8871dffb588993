import fp from 'fastify-plugin'
import type { Config } from '../config.js'
import type { ImageContext } from '../images/context.js'
import { extraFormats } from '../images/extra-formats.js'
import { Variants } from '../images/variants.js'

declare module 'fastify' {
  interface FastifyInstance {
    images: ImageContext
  }
}

// Variant jobs that are still running at shutdown get this long; what is cut is redone on restart.
const DRAIN_TIMEOUT_MS = 20_000

/** Gathers what the image operations need, and runs the background WebP/AVIF jobs. */
export default fp<{ config: Config }>(async (app, { config }) => {
  const { formats, states } = await extraFormats(config, app.imaging)
  for (const state of states) app.log.info(state)
  const suffixes = app.imaging.options.resizing.map(rule => rule.suffix)
  const variants = new Variants({
    stores: app.storage,
    imaging: app.imaging,
    suffixes,
    formats,
    publishDelayMs: config.thumbnailsPublishDelayMs,
    log: app.log,
    onFailure: () => app.serviceMetrics.publishedThumbnailsError.inc()
  })
  app.decorate('images', { stores: app.storage, imaging: app.imaging, suffixes, autoOrientOriginal: config.autoOrientOriginal, maxImagePixels: config.maxImagePixels, variants })

  app.addHook('onReady', async () => {
    if (!variants.enabled) return
    // In the background: a large backlog must not hold up start-up.
    variants.recover().then(count => {
      if (count > 0) app.log.info(`resuming the variants of ${count} images`)
    }, error => app.log.error({ err: error }, 'could not look for owed variants'))
  })
  app.addHook('onClose', async () => {
    if (!(await variants.drain(DRAIN_TIMEOUT_MS))) app.log.warn('shutdown cut variant jobs short; they resume at the next start')
  })
}, { name: 'images', dependencies: ['storage', 'imaging', 'metrics'] })
