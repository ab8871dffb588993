import fp from 'fastify-plugin'
import type { Config } from '../config.js'
import { Imaging } from '../imaging/imaging.js'

declare module 'fastify' {
  interface FastifyInstance {
    imaging: Imaging
  }
}

// A 24 MP photo takes a few seconds; a run that takes a minute is stuck, not busy.
const RUN_TIMEOUT_MS = 60_000

export default fp<{ config: Config }>(async (app, { config }) => {
  const metrics = app.serviceMetrics
  app.decorate('imaging', new Imaging({
    resizing: config.resizing,
    concurrency: config.imagingConcurrency,
    memoryBudget: config.imagingMemory,
    timeoutMs: RUN_TIMEOUT_MS,
    scratch: async () => await app.storage.temp.workspace(),
    timings: {
      thumbnail: (format, size, seconds) => metrics.thumbnailGenerationsTime.observe({ format, size }, seconds),
      rotation: seconds => metrics.thumbnailRotationsTime.observe(seconds),
      autoOrient: seconds => metrics.autoorientTime.observe(seconds)
    }
  }))
}, { name: 'imaging', dependencies: ['metrics', 'storage'] })
