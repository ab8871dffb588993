import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { rotateImage } from '../images/rotate.js'
import { ImageKey, Secret } from './schemas.js'

/** POST /rotate: turns an active image clockwise; it gets a new key, the old one is removed. */
const rotate: FastifyPluginAsyncTypebox = async app => {
  app.post('/rotate', {
    preValidation: app.verifySecret,
    schema: {
      body: Type.Object({
        secret: Secret,
        filename: ImageKey(app.images.suffixes),
        rotation: Type.Optional(Type.Union([Type.Literal(90), Type.Literal(-90), Type.Literal(180)]))
      }),
      response: { 200: Type.Object({ success: Type.Literal(true), filename: Type.String() }) }
    }
  }, async request => {
    const { filename, rotation } = request.body
    const rotated = await rotateImage(app.images, filename, rotation ?? 90)
    app.serviceMetrics.rotatedImages.inc()
    return { success: true as const, filename: rotated }
  })
}

export default rotate
