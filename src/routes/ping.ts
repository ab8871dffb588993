import type { FastifyPluginAsync } from 'fastify'

/** Liveness: answers as long as the process serves HTTP. */
const ping: FastifyPluginAsync = async app => {
  app.get('/ping', async (_request, reply) => await reply.type('text/plain; charset=utf-8').send('Pong!'))
}

export default ping
