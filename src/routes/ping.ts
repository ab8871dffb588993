import type { FastifyPluginAsync } from 'fastify'

/** Liveness: answers as long as the process serves HTTP. */
const ping: FastifyPluginAsync = async app => {
  app.get('/ping', {
    schema: { summary: 'Liveness: Pong! while the process serves HTTP', response: { 200: { type: 'string', description: 'Pong!' } } }
  }, async (_request, reply) => await reply.type('text/plain; charset=utf-8').send('Pong!'))
}

export default ping
