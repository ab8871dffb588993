import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { silentPrograms } from '../imaging/programs.js'
import { Failure } from './schemas.js'

/** GET /ready: whether this instance can take work now; /ping only says that it runs. */
const ready: FastifyPluginAsyncTypebox = async app => {
  app.get('/ready', {
    schema: {
      summary: 'Readiness: ImageMagick, rsvg-convert and exiftran answer, both stores are reachable and the temp folder is writable',
      response: { 200: Type.Object({ success: Type.Literal(true) }), 503: Failure }
    }
  }, async (_request, reply) => {
    const { temp, incoming, active } = app.storage
    const places = [{ name: 'temp folder', place: temp }, ...[incoming, active].map(store => ({ name: `${store.name} storage`, place: store }))]
    const stores = await Promise.all(places.map(async ({ name, place }) => await place.reachable().then(() => undefined, () => name)))
    const failed = [...await silentPrograms(), ...stores.filter(store => store !== undefined)]
    if (failed.length === 0) return { success: true as const }
    return await reply.code(503).send({ success: false as const, message: `Not ready: ${failed.join(', ')} did not answer.` })
  })
}

export default ready
