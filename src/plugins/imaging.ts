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
  app.decorate('imaging', new Imaging({
    resizing: config.resizing,
    concurrency: config.imagingConcurrency,
    timeoutMs: RUN_TIMEOUT_MS
  }))
}, { name: 'imaging' })
