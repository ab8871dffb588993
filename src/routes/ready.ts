import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { PLAIN_TEXT } from '../http/error-handler.js'
import { answer, failure, failures } from './schemas.js'

/** GET /ready: whether this instance can take work now; /ping only says that it runs. */
const ready: FastifyPluginAsyncTypebox = async app => {
  app.get('/ready', {
    schema: {
      operationId: 'ready',
      tags: ['health'],
      summary: 'Readiness: the image programs answer, the sRGB profile is there, both stores and the temp folder take a write (checked at most every 2 s)',
      security: [],
      response: {
        200: answer('Success', 'Ready to take work', { success: true }),
        ...failures([405]),
        503: failure('Not ready, saying what did not answer (or shutting down)', 'Not ready: active storage did not answer.')
      }
    }
  }, async (_request, reply) => {
    const failed = await app.notReady()
    if (failed.length === 0) return { success: true as const }
    return await reply.code(503).type(PLAIN_TEXT).send(`Not ready: ${failed.join(', ')} did not answer.`)
  })
}

export default ready
