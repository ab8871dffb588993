import fp from 'fastify-plugin'
import type { Config } from '../config/config.js'
import { extraFormats } from '../lifecycle/extra-formats.js'
import { configuredOptions, createImageService, type ImageService } from '../lifecycle/image-service.js'
import { readGauge } from './service-metrics.js'

declare module 'fastify' {
  interface FastifyInstance {
    images: ImageService
  }
}

// Variant jobs that are still running at shutdown get this long; what is cut is taken over a lease later.
const DRAIN_TIMEOUT_MS = 20_000

/** The image service: every route calls one of its operations; it runs the background variant jobs. */
export default fp<{ config: Config }>(async (app, { config }) => {
  const metrics = app.serviceMetrics
  const { formats, states } = await extraFormats(config, app.imaging)
  for (const state of states) app.log.info(state)
  const images = createImageService({
    ...configuredOptions(config),
    stores: app.storage,
    imaging: app.imaging,
    formats,
    log: { info: message => app.log.info(message), error: (details, message) => app.log.error(details, message) },
    events: {
      failed: () => metrics.publishedThumbnailsError.inc(),
      takenOver: count => metrics.variantJobsTakenOver.inc(count),
      deferred: () => metrics.variantJobsDeferred.inc(),
      owed: count => metrics.variantsOwed.set(count)
    }
  })
  readGauge(metrics.registry, 'imaging_queue_waiting', 'Uploads and rotates admitted, waiting for their first image command (at most IMAGING_QUEUE_LIMIT)', () => images.admission.waiting)
  app.decorate('images', images)
  app.addHook('onReady', async () => images.startBackground())
  app.addHook('onClose', async () => {
    if (!(await images.drain(DRAIN_TIMEOUT_MS))) app.log.warn('shutdown cut variant jobs short; a replica takes them over a lease later')
  })
}, { name: 'images', dependencies: ['storage', 'imaging', 'metrics'] })
