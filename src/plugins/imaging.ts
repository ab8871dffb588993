import fp from 'fastify-plugin'
import type { Config } from '../config.js'
import { createImaging } from '../imaging/create-imaging.js'
import type { Imaging } from '../imaging/imaging.js'

declare module 'fastify' {
  interface FastifyInstance {
    imaging: Imaging
  }
}

export default fp<{ config: Config }>(async (app, { config }) => {
  const metrics = app.serviceMetrics
  app.decorate('imaging', createImaging(config, app.storage.temp, {
    timings: {
      thumbnail: (format, size, seconds) => metrics.thumbnailGenerationsTime.observe({ format, size }, seconds),
      rotation: seconds => metrics.thumbnailRotationsTime.observe(seconds),
      autoOrient: seconds => metrics.autoorientTime.observe(seconds)
    },
    // A damaged file that still decodes: worth knowing, not worth refusing.
    warn: (command, warning) => app.log.warn({ command, warning }, 'an image program warned')
  }))
}, { name: 'imaging', dependencies: ['metrics', 'storage'] })
