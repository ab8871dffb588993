import type { Storage } from './storage.js'
import type { TempFolder } from './temp-folder.js'

/** The three places an image passes through: temp (work files), incoming (uploaded), active (public). */
export interface Stores {
  temp: TempFolder
  incoming: Storage
  active: Storage
  /** Lets go of connections (S3 clients' sockets) and of this process's temp folder. */
  close: () => Promise<void>
}
