import type { Admission } from './admit.js'
import type { KeyLocks } from './key-lock.js'
import type { VariantJobs, VariantJobsOptions } from './variant-jobs.js'

/**
 * What the service is built from: what its variant jobs need (they make variants the same way),
 * and what uploads and the queue add. Only the service and its operations see this file.
 */
export interface ImageServiceOptions extends Omit<VariantJobsOptions, 'locks' | 'backlog'> {
  autoOrientOriginal: boolean
  /** Width × height × frames an upload may declare. */
  maxImagePixels: number
  /** Image commands that may wait for a slot before uploads are told to come back (Busy). */
  queueLimit: number
}

/** What the operations share: the options, the locks on keys, the background variant jobs. */
export interface ServiceParts extends ImageServiceOptions {
  admission: Admission
  locks: KeyLocks
  variants: VariantJobs
}
