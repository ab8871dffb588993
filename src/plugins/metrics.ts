import Fastify, { type FastifyInstance } from 'fastify'
import metricsModule from 'fastify-metrics'
import fp from 'fastify-plugin'
import { clientGone } from '../error-handler.js'
import client, { Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { Config } from '../config.js'

export interface ServiceMetrics {
  registry: Registry
  uploadedImages: Counter<'format'>
  publishedImages: Counter
  publishedThumbnailsError: Counter
  variantJobsTakenOver: Counter
  variantJobsDeferred: Counter
  deletedImages: Counter
  rotatedImages: Counter
  errorCounter: Counter
  thumbnailGenerationsTime: Histogram<'format' | 'size'>
  thumbnailRotationsTime: Histogram
  autoorientTime: Histogram
  /** The server that serves the registry on METRICS_PORT, when metrics are on. */
  server?: FastifyInstance
}

declare module 'fastify' {
  interface FastifyInstance {
    serviceMetrics: ServiceMetrics
  }
}

// fastify-metrics is CommonJS with `exports.default`: from ESM, the plugin is one level down.
const fastifyMetrics = metricsModule.default

// Image work takes from milliseconds (a small PNG) to seconds (a 100 MP JPEG).
const SECONDS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

interface Options {
  config: Config
  version: string
}

/**
 * The names the existing dashboards use, in a registry of this app's own (so several apps can
 * live in one process, as in the tests). Served by a second small server, never on the service port.
 */
export default fp<Options>(async (app, { config, version }) => {
  const registry = new Registry()
  const registers = [registry]
  const counter = (name: string, help: string): Counter => new Counter({ name, help, registers })
  const histogram = (name: string, help: string): Histogram => new Histogram({ name, help, buckets: SECONDS, registers })
  const metrics: ServiceMetrics = {
    registry,
    uploadedImages: new Counter({ name: 'uploaded_images', help: 'Images uploaded, by format', labelNames: ['format'], registers }),
    publishedImages: counter('published_images', 'Images published'),
    publishedThumbnailsError: counter('published_thumbnails_error', 'Background WebP/AVIF jobs that failed'),
    variantJobsTakenOver: counter('variant_jobs_taken_over', 'Owed WebP/AVIF jobs taken over from markers nobody refreshed for a lease'),
    variantJobsDeferred: counter('variant_jobs_deferred', 'WebP/AVIF jobs left to their markers because IMAGING_QUEUE_LIMIT jobs were held: a later sweep makes them'),
    deletedImages: counter('deleted_images', 'Images deleted'),
    rotatedImages: counter('rotated_images', 'Images rotated'),
    errorCounter: counter('error_counter', 'Requests that ended in an error'),
    thumbnailGenerationsTime: new Histogram({ name: 'thumbnail_generations_time', help: 'Seconds to make one thumbnail, by output format and size suffix', labelNames: ['format', 'size'], buckets: SECONDS, registers }),
    thumbnailRotationsTime: histogram('thumbnail_rotations_time', 'Seconds to rotate an original'),
    autoorientTime: histogram('autoorient_time', 'Seconds to turn a JPEG original upright')
  }
  new Gauge({ name: 'service_info', help: 'Always 1; the labels say what runs', labelNames: ['version', 'env'], registers })
    .set({ version, env: config.production ? 'production' : 'development' }, 1)
  // Read at scrape time: the imaging and images plugins, registered after this one, own the queue and the admission.
  new Gauge({ name: 'imaging_queue_waiting', help: 'Uploads and rotates admitted, waiting for their first image command (at most IMAGING_QUEUE_LIMIT)', registers, collect () { this.set(app.images.admission.waiting) } })
  new Gauge({ name: 'imaging_commands_waiting', help: 'Image commands waiting for a slot, background work included', registers, collect () { this.set(app.imaging.queue.waiting) } })
  new Gauge({ name: 'imaging_queue_running', help: 'Image commands running', registers, collect () { this.set(app.imaging.queue.running) } })
  app.addHook('onError', async request => { if (!clientGone(request)) metrics.errorCounter.inc() })
  app.decorate('serviceMetrics', metrics)

  if (config.metrics === undefined) return
  await app.register(fastifyMetrics, {
    endpoint: null,
    promClient: client,
    defaultMetrics: { enabled: true, register: registry },
    routeMetrics: { overrides: { histogram: { registers }, summary: { registers } } }
  })
  const server = Fastify({ logger: false })
  server.get(config.metrics.path, async (_request, reply) => await reply.type(registry.contentType).send(await registry.metrics()))
  metrics.server = server
  const { port, host } = config.metrics
  app.addHook('onReady', async () => { await server.listen({ port, host }) })
  app.addHook('onClose', async () => { await server.close() })
}, { name: 'metrics' })
