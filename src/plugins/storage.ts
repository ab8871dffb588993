import fp from 'fastify-plugin'
import type { Config } from '../config.js'
import { createStores } from '../storage/create-stores.js'
import type { Stores } from '../storage/stores.js'

declare module 'fastify' {
  interface FastifyInstance {
    storage: Stores
  }
}

export default fp<{ config: Config }>(async (app, { config }) => {
  const stores = await createStores(config)
  app.decorate('storage', stores)
  app.addHook('onClose', async () => await stores.close())
}, { name: 'storage' })
