import fp from 'fastify-plugin'
import { PLAIN_TEXT } from '../http/error-handler.js'

/**
 * What the older service's router answered for a request no route takes: 405 with `Allow` for a
 * path that takes other methods, else 404. Registered before the routes, so it sees each of them.
 */
export default fp(async app => {
  const methods = new Map<string, Set<string>>()
  app.addHook('onRoute', route => {
    const taken = methods.get(route.url) ?? new Set<string>()
    for (const method of [route.method].flat()) taken.add(method)
    methods.set(route.url, taken)
  })
  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?', 1)[0]
    const allowed = methods.get(path)
    if (allowed === undefined) return await reply.code(404).type(PLAIN_TEXT).send('Not Found')
    return await reply.code(405).header('allow', [...allowed].join(', ')).type(PLAIN_TEXT).send('Method Not Allowed')
  })
}, { name: 'not-found' })
