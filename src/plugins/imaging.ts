import fp from 'fastify-plugin'
import type { Config } from '../config/config.js'
import { createImaging } from '../imaging/create-imaging.js'
import type { Imaging } from '../imaging/imaging.js'
import { readGauge } from './service-metrics.js'

declare module 'fastify' {
  interface FastifyInstance {
    imaging: Imaging
  }
}

export default fp<{ config: Config }>(async (app, { config }) => {
  const metrics = app.serviceMetrics
  const imaging = createImaging(config, app.storage.temp, {
    timings: {
      thumbnail: (format, size, seconds) => metrics.thumbnailGenerationsTime.observe({ format, size }, seconds),
      rotation: seconds => metrics.thumbnailRotationsTime.observe(seconds),
      autoOrient: seconds => metrics.autoorientTime.observe(seconds)
    },
    report: {
      ended: (program, { operation = 'check', format = 'any' }, seconds, outcome) => {
        metrics.commandDuration.observe({ program, operation, format }, seconds)
        if (outcome === 'failed') metrics.commandFailures.inc({ program, operation })
        if (outcome === 'timeout') metrics.commandTimeouts.inc({ program, operation })
      },
      // A damaged file that still decodes: worth knowing, not worth refusing.
      warned: (command, warning) => app.log.warn({ command, warning }, 'an image program warned')
    }
  })
  readGauge(metrics.registry, 'imaging_commands_waiting', 'Image commands waiting for a slot, background work included', () => imaging.queue.waiting)
  readGauge(metrics.registry, 'imaging_queue_running', 'Image commands running', () => imaging.queue.running)
  app.decorate('imaging', imaging)
}, { name: 'imaging', dependencies: ['metrics', 'storage'] })
