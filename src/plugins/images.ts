import fp from 'fastify-plugin'
import type { ImageContext } from '../images/context.js'

declare module 'fastify' {
  interface FastifyInstance {
    images: ImageContext
  }
}

/** Gathers what the image operations need, from the storage and imaging plugins. */
export default fp<{ autoOrientOriginal: boolean }>(async (app, { autoOrientOriginal }) => {
  app.decorate('images', {
    stores: app.storage,
    imaging: app.imaging,
    suffixes: app.imaging.options.resizing.map(rule => rule.suffix),
    autoOrientOriginal
  })
}, { name: 'images', dependencies: ['storage', 'imaging'] })
