import type { Config } from '../config/config.js'
import type { Rotation } from '../imaging/orientation.js'
import type { UploadFormat } from '../formats.js'
import type { Workspace } from '../storage/temp-folder.js'
import { Admission } from './admit.js'
import { deleteImages } from './delete.js'
import { KeyLocks } from './key-lock.js'
import { publishImage } from './publish.js'
import { regenerateImage, type Plan } from './regenerate.js'
import { rotateImage } from './rotate.js'
import { uploadImage } from './upload.js'
import type { ImageServiceOptions, ServiceParts } from './parts.js'
import { VariantJobs } from './variant-jobs.js'

/** The life of an uploaded image, one call per route or command. */
export interface ImageService {
  /** Throws Busy when the image queue is full: before a body is read, and again before the work. */
  admit: () => void
  /** Requests admitted, waiting for their first image command. */
  readonly admission: Admission
  /** Checks the file at `path` in `workspace`, stores it and its thumbnails in incoming: its new key. */
  upload: (workspace: Workspace, path: string) => Promise<{ key: string, format: UploadFormat }>
  /** Moves an image's family from incoming to active, whole; again is fine. */
  publish: (key: string) => Promise<void>
  /** Turns an active image clockwise under a new key (returned); the old key's family goes. */
  rotate: (key: string, rotation: Rotation) => Promise<string>
  /** Removes images' families from active; keys already gone are fine. */
  delete: (keys: string[]) => Promise<void>
  /** Makes the planned thumbnails and variants of an active image from its original. */
  regenerate: (plan: Plan) => Promise<void>
  /** Owed variants: taken up now and swept for every lease, also those a dead replica left. */
  startBackground: () => void
  /** Stops the background work; waits for running jobs at most `timeoutMs`; true when none was cut. */
  drain: (timeoutMs: number) => Promise<boolean>
  readonly variants: VariantJobs
}

// A claim on a key may wait this long: a rotate (the slowest call on one key) takes a few seconds.
const LOCK_WAIT_MS = 30_000

/**
 * The options the config sets, for the service and the operator commands alike: the one table
 * where a setting's name in Config and in the service differ (imagingQueueLimit, workLeaseMs).
 */
export function configuredOptions (config: Config): Pick<ImageServiceOptions, 'suffixes' | 'autoOrientOriginal' | 'maxImagePixels' | 'queueLimit' | 'thumbnailsPublishDelayMs' | 'leaseMs'> {
  return {
    suffixes: config.resizing.map(rule => rule.suffix),
    autoOrientOriginal: config.autoOrientOriginal,
    maxImagePixels: config.maxImagePixels,
    queueLimit: config.imagingQueueLimit,
    thumbnailsPublishDelayMs: config.thumbnailsPublishDelayMs,
    leaseMs: config.workLeaseMs
  }
}

export function createImageService (options: ImageServiceOptions): ImageService {
  const locks = new KeyLocks({ store: options.stores.incoming, leaseMs: options.leaseMs, waitMs: LOCK_WAIT_MS, clock: options.clock })
  const admission = new Admission(options.imaging.queue, options.queueLimit)
  const variants = new VariantJobs({ ...options, locks, backlog: options.queueLimit })
  const parts: ServiceParts = { ...options, admission, locks, variants }
  return {
    admit: () => admission.check(),
    upload: async (workspace, path) => await uploadImage(parts, workspace, path),
    publish: async key => await publishImage(parts, key),
    rotate: async (key, rotation) => await rotateImage(parts, key, rotation),
    delete: async keys => await deleteImages(parts, keys),
    regenerate: async plan => await regenerateImage(parts, plan),
    startBackground: () => { void variants.startBackground() },
    drain: async timeoutMs => await variants.drain(timeoutMs),
    admission,
    variants
  }
}
