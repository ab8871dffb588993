import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Failure } from './schemas.js'

/** GET /ready: whether this instance can take work now; /ping only says that it runs. */
const ready: FastifyPluginAsyncTypebox = async app => {
  app.get('/ready', {
    schema: {
      summary: 'Readiness: ImageMagick, rsvg-convert and exiftran answer, both stores and the temp folder take a write (checked at most every 2 s)',
      response: { 200: Type.Object({ success: Type.Literal(true) }), 503: Failure }
    }
  }, async (_request, reply) => {
    const failed = await app.notReady()
    if (failed.length === 0) return { success: true as const }
    return await reply.code(503).send({ success: false as const, message: `Not ready: ${failed.join(', ')} did not answer.` })
  })
}

export default ready
