import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { silentPrograms } from '../imaging/programs.js'
import { Failure } from './schemas.js'

/** GET /ready: whether this instance can take work now; /ping only says that it runs. */
const ready: FastifyPluginAsyncTypebox = async app => {
  app.get('/ready', {
    schema: {
      summary: 'Readiness: ImageMagick, rsvg-convert and exiftran answer, and both stores are reachable',
      response: { 200: Type.Object({ success: Type.Literal(true) }), 503: Failure }
    }
  }, async (_request, reply) => {
    const { incoming, active } = app.storage
    const stores = await Promise.all([incoming, active].map(async store => await store.reachable().then(() => undefined, () => `${store.name} storage`)))
    const failed = [...await silentPrograms(), ...stores.filter(store => store !== undefined)]
    if (failed.length === 0) return { success: true as const }
    return await reply.code(503).send({ success: false as const, message: `Not ready: ${failed.join(', ')} did not answer.` })
  })
}

export default ready
