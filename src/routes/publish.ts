import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { answer, failures, FIELD_ENCODINGS, OriginalKey, Secret } from './schemas.js'

/** POST /publish: moves an uploaded image and its thumbnails from incoming to active. */
const publish: FastifyPluginAsyncTypebox = async app => {
  app.post('/publish', {
    schema: {
      operationId: 'publishImage',
      tags: ['api-server'],
      summary: 'Moves an uploaded image and its thumbnails to the public store; again is fine',
      security: [],
      consumes: FIELD_ENCODINGS,
      body: Type.Object({ secret: Secret, filename: OriginalKey }),
      response: { 200: answer('Success', 'Published (or already published)', { success: true }), ...failures([400, 401, 403, 404, 405, 413, 415, 503, 507], { 503: 'This image is busy. Try again shortly.' }) }
    }
  }, async request => {
    await app.images.publish(request.body.filename)
    app.serviceMetrics.publishedImages.inc()
    return { success: true as const }
  })
}

export default publish
