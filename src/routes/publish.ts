import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { publishImage } from '../images/publish.js'
import { failures, FIELD_ENCODINGS, ImageKey, Secret, Success } from './schemas.js'

/** POST /publish: moves an uploaded image and its thumbnails from incoming to active. */
const publish: FastifyPluginAsyncTypebox = async app => {
  app.post('/publish', {
    preValidation: app.verifySecret,
    schema: {
      summary: 'Moves an uploaded image and its thumbnails to the public store; again is fine',
      consumes: FIELD_ENCODINGS,
      body: Type.Object({ secret: Secret, filename: ImageKey(app.images.suffixes) }),
      response: { 200: Success, ...failures(400, 401, 403, 404, 413, 415, 503) }
    }
  }, async request => {
    await publishImage(app.images, request.body.filename)
    app.serviceMetrics.publishedImages.inc()
    return { success: true as const }
  })
}

export default publish
