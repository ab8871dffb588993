import fp from 'fastify-plugin'
import type { Config } from '../config.js'
import { createLocalStorage } from '../storage/local-storage.js'
import type { Stores } from '../storage/stores.js'
import { TempFolder } from '../storage/temp-folder.js'

declare module 'fastify' {
  interface FastifyInstance {
    storage: Stores
  }
}

export default fp<{ config: Config }>(async (app, { config }) => {
  const storage: Stores = {
    temp: await new TempFolder(config.tempFolder).init(),
    incoming: await createLocalStorage('incoming', config.incomingFolder),
    active: await createLocalStorage('active', config.activeFolder)
  }
  app.decorate('storage', storage)
}, { name: 'storage' })
