import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Rotation } from '../imaging/orientation.js'
import { answer, failures, FIELD_ENCODINGS, OriginalKey, Secret } from './schemas.js'

/** POST /rotate: turns an active image clockwise; it gets a new key, the old one is removed. */
const rotate: FastifyPluginAsyncTypebox = async app => {
  app.post('/rotate', {
    // The older service's words for a key not in active.
    config: { unknownImage: 'Not found' },
    schema: {
      operationId: 'rotateImage',
      tags: ['api-server'],
      summary: 'Turns a published image clockwise under a new key; the old key is removed',
      security: [],
      consumes: FIELD_ENCODINGS,
      body: Type.Object({
        secret: Secret,
        filename: OriginalKey,
        // A form sends the number as text; no other type is turned into one.
        rotation: Type.Optional(Type.Union([
          Type.Unsafe<Rotation>({ type: 'integer', enum: [-90, 90, 180] }),
          Type.Unsafe<'-90' | '90' | '180'>({ type: 'string', enum: ['-90', '90', '180'] })
        ], { description: 'Degrees clockwise: 90, -90 or 180 (as a number, or as text in a form); default 90', default: 90 }))
      }),
      response: { 200: answer('NewKey', 'Rotated: the new key (the old one is gone)', { success: true, filename: '1732790000_0123456789.jpg' }), ...failures([400, 401, 403, 404, 405, 413, 415, 503, 507], { 400: 'Bad parameter rotation: Invalid enum value. Expected \'-90\' | \'90\' | \'180\', received \'45\'.', 404: 'Not found' }) }
    }
  }, async request => {
    const { filename, rotation } = request.body
    const rotated = await app.images.rotate(filename, Number(rotation ?? 90) as Rotation)
    app.serviceMetrics.rotatedImages.inc()
    return { success: true as const, filename: rotated }
  })
}

export default rotate
