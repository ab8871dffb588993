import fp from 'fastify-plugin'

/**
 * Once closing starts, new requests get 503 `Server is shutting down` with `Connection: close`,
 * while those in flight finish.
 */
export default fp(async app => {
  let closing = false
  app.addHook('preClose', async () => { closing = true })
  app.addHook('onRequest', async (_request, reply) => {
    if (!closing) return
    await reply.code(503).header('connection', 'close').send({ success: false, message: 'Server is shutting down' })
  })
}, { name: 'shutdown' })
