import type { FastifyPluginAsync } from 'fastify'
import { PLAIN_TEXT } from '../http/error-handler.js'
import { failures } from './schemas.js'

/** Liveness: answers as long as the process serves HTTP. */
const ping: FastifyPluginAsync = async app => {
  app.get('/ping', {
    schema: {
      operationId: 'ping',
      tags: ['health'],
      summary: 'Liveness: Pong! while the process serves HTTP',
      security: [],
      response: {
        200: { description: 'The process serves HTTP', content: { 'text/plain': { schema: { type: 'string' }, example: 'Pong!' } } },
        ...failures([405, 503], { 503: 'Server is shutting down' })
      }
    }
  }, async (_request, reply) => await reply.type(PLAIN_TEXT).send('Pong!'))
}

export default ping
