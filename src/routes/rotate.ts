import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Rotation } from '../imaging/orientation.js'
import { failures, FIELD_ENCODINGS, OriginalKey, Secret } from './schemas.js'

/** POST /rotate: turns an active image clockwise; it gets a new key, the old one is removed. */
const rotate: FastifyPluginAsyncTypebox = async app => {
  app.post('/rotate', {
    schema: {
      summary: 'Turns a published image clockwise under a new key; the old key is removed',
      consumes: FIELD_ENCODINGS,
      body: Type.Object({
        secret: Secret,
        filename: OriginalKey,
        // A form sends the number as text; no other type is turned into one.
        rotation: Type.Optional(Type.Union([90, -90, 180, '90', '-90', '180'].map(angle => Type.Literal(angle)), { description: 'Degrees clockwise; default 90' }))
      }),
      response: { 200: Type.Object({ success: Type.Literal(true), filename: Type.String() }), ...failures(400, 401, 403, 404, 413, 415, 503, 507) }
    }
  }, async request => {
    const { filename, rotation } = request.body
    const rotated = await app.images.rotate(filename, Number(rotation ?? 90) as Rotation)
    app.serviceMetrics.rotatedImages.inc()
    return { success: true as const, filename: rotated }
  })
}

export default rotate
