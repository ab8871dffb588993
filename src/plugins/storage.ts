import fp from 'fastify-plugin'
import type { Config } from '../config/config.js'
import { countingErrors } from '../storage/counting-errors.js'
import { createStores } from '../storage/create-stores.js'
import type { Stores } from '../storage/stores.js'

declare module 'fastify' {
  interface FastifyInstance {
    storage: Stores
  }
}

export default fp<{ config: Config }>(async (app, { config }) => {
  const stores = await createStores(config, (store, operation) => app.serviceMetrics.storageRequests.inc({ store, operation }))
  const counted = (store: typeof stores.incoming): typeof store => countingErrors(store, operation => app.serviceMetrics.storageErrors.inc({ store: store.name, operation }))
  app.decorate('storage', { ...stores, incoming: counted(stores.incoming), active: counted(stores.active) })
  app.addHook('onClose', async () => await stores.close())
}, { name: 'storage', dependencies: ['metrics'] })
