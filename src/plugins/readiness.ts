import fp from 'fastify-plugin'
import { silentPrograms } from '../imaging/programs.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** What keeps this instance from taking work: empty when ready. */
    notReady: () => Promise<string[]>
  }
}

// A flood of /ready costs one round of checks every this long, whatever its rate.
const CACHE_MS = 2000

/**
 * Readiness, cheap to ask: the programs are checked at the first call (server.ts makes it at
 * start) and again only while they fail; the stores and the temp folder (each a real write) at
 * most once every CACHE_MS, one round at a time.
 */
export default fp(async app => {
  let programs: Promise<string[]> | undefined
  let last: { at: number, failed: string[] } | undefined
  let inFlight: Promise<string[]> | undefined

  const checkPrograms = async (): Promise<string[]> => {
    const silent = await (programs ??= silentPrograms())
    if (silent.length > 0) programs = undefined
    return silent
  }
  const check = async (): Promise<string[]> => {
    const { temp, incoming, active } = app.storage
    const places = [{ name: 'temp folder', place: temp }, ...[incoming, active].map(store => ({ name: `${store.name} storage`, place: store }))]
    const [silent, stores] = await Promise.all([checkPrograms(), Promise.all(places.map(async ({ name, place }) => await place.reachable().then(() => [], () => [name])))])
    last = { at: Date.now(), failed: [...silent, ...stores.flat()] }
    return last.failed
  }
  app.decorate('notReady', async () => {
    if (last !== undefined && Date.now() - last.at < CACHE_MS) return last.failed
    inFlight ??= check().finally(() => { inFlight = undefined })
    return await inFlight
  })
}, { name: 'readiness', dependencies: ['storage'] })
