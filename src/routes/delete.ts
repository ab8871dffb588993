import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { deleteImages } from '../images/publish.js'
import { ImageKey, Secret, Success } from './schemas.js'

// The API server sends every past version of one document's image: a few, never hundreds.
const MAX_FILENAMES = 100

/** POST /delete: removes one or more active images and their thumbnails; keys already gone are fine. */
const remove: FastifyPluginAsyncTypebox = async app => {
  const key = ImageKey(app.images.suffixes)
  app.post('/delete', {
    preValidation: app.verifySecret,
    schema: {
      // A form with one `filenames` field sends a string, with several a list.
      body: Type.Object({ secret: Secret, filenames: Type.Union([key, Type.Array(key, { minItems: 1, maxItems: MAX_FILENAMES })]) }),
      response: { 200: Success }
    }
  }, async request => {
    const keys = Array.isArray(request.body.filenames) ? request.body.filenames : [request.body.filenames]
    await deleteImages(app.images, keys)
    app.serviceMetrics.deletedImages.inc(keys.length)
    return { success: true as const }
  })
}

export default remove
