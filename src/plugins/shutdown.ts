import fp from 'fastify-plugin'
import { PLAIN_TEXT } from '../http/error-handler.js'

/**
 * Once closing starts, new requests get 503 `Server is shutting down` with `Connection: close`,
 * while those in flight finish.
 */
export default fp(async app => {
  let closing = false
  app.addHook('preClose', async () => { closing = true })
  app.addHook('onRequest', async (_request, reply) => {
    if (!closing) return
    await reply.code(503).header('connection', 'close').type(PLAIN_TEXT).send('Server is shutting down')
  })
}, { name: 'shutdown' })
