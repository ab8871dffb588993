import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { publishImage } from '../images/publish.js'
import { ImageKey, Secret, Success } from './schemas.js'

/** POST /publish: moves an uploaded image and its thumbnails from incoming to active. */
const publish: FastifyPluginAsyncTypebox = async app => {
  app.post('/publish', {
    preValidation: app.verifySecret,
    schema: {
      body: Type.Object({ secret: Secret, filename: ImageKey(app.images.suffixes) }),
      response: { 200: Success }
    }
  }, async request => {
    await publishImage(app.images, request.body.filename)
    app.serviceMetrics.publishedImages.inc()
    return { success: true as const }
  })
}

export default publish
