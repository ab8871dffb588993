import type { Imaging } from '../imaging/imaging.js'
import type { Stores } from '../storage/stores.js'
import type { Variants } from './variants.js'

/** What the image operations need: plain objects, so the CLI can use them without Fastify. */
export interface ImageContext {
  stores: Stores
  imaging: Imaging
  suffixes: string[]
  autoOrientOriginal: boolean
  /** Width × height × frames an upload may declare. */
  maxImagePixels: number
  variants: Variants
}
