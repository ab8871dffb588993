import type { Config } from '../config/config.js'
import { createLocalStorage } from './local-storage.js'
import type { RequestSent } from './s3-stores.js'
import type { Stores } from './stores.js'
import { TempFolder } from './temp-folder.js'

/** The stores the config names; used by the service and by the operator commands. `sent` counts S3 requests. */
export async function createStores (config: Config, sent?: RequestSent): Promise<Stores> {
  const temp = await new TempFolder(config.tempFolder).init()
  if (config.s3 === undefined) {
    return {
      temp,
      incoming: await createLocalStorage('incoming', config.incomingFolder),
      active: await createLocalStorage('active', config.activeFolder),
      close: async () => await temp.close()
    }
  }
  // Loaded only when used: the AWS SDK alone adds about 20 MB to the process.
  const { createS3Stores } = await import('./s3-stores.js')
  const { incoming, active, destroy } = createS3Stores(config.s3, config.cacheControl, sent)
  return {
    temp,
    incoming,
    active,
    close: async () => {
      destroy()
      await temp.close()
    }
  }
}
