import { UnknownImage } from '../errors.js'
import { largest } from '../imaging/thumbnails.js'
import { formatOf, thumbnailFormat } from '../keys.js'
import { settleAll } from '../settle.js'
import { fetchOriginal } from './fetch-original.js'
import type { ServiceParts } from './parts.js'

/** One image and the thumbnails and variants to make for it. */
export interface Plan {
  key: string
  outputs: string[]
}

/**
 * Makes the planned outputs of one active image from its original, through the same pipeline
 * and queue as uploads (the variants from the largest thumbnail), then puts them in active holding
 * the key, only if the image is still there: a delete meanwhile wins. The original is only read.
 */
export async function regenerateImage (parts: ServiceParts, { key, outputs }: Plan): Promise<void> {
  const { stores, imaging, formats } = parts
  const workspace = await stores.temp.workspace()
  try {
    const format = formatOf(key)
    const original = workspace.file(`original.${format}`)
    await fetchOriginal(stores.active, key, original)
    const thumbnails = await imaging.thumbnails({ path: original, format }, key, workspace.dir)
    const extra = formats.filter(extraFormat => outputs.some(output => output.endsWith(`.${extraFormat}`)))
    const source = largest(thumbnails)
    const variants = extra.length > 0
      ? await imaging.thumbnails({ path: source.path, format: thumbnailFormat(format), width: source.width, height: source.height }, key, workspace.dir, extra)
      : []
    const wanted = [...thumbnails, ...variants].filter(made => outputs.includes(made.key))
    await parts.locks.with(key, async claim => {
      if (!(await stores.active.exists(key))) throw new UnknownImage(key)
      await settleAll(wanted.map(async made => {
        claim.check()
        await stores.active.put(made.key, made.path)
      }))
    })
  } finally {
    await workspace.remove()
  }
}
