import type { Config } from '../config.js'
import type { Imaging } from '../imaging/imaging.js'
import { EXTRA_FORMATS, type ExtraFormat } from '../keys.js'

/** The WebP/AVIF formats the config asks for and this ImageMagick can write, and a line on each to log. */
export async function extraFormats (config: Config, imaging: Imaging): Promise<{ formats: ExtraFormat[], states: string[] }> {
  const wanted = EXTRA_FORMATS.filter(format => format === 'webp' ? config.generateWebp : config.generateAvif)
  const writable = wanted.length > 0 ? await imaging.writableExtraFormats() : []
  const formats = wanted.filter(format => writable.includes(format))
  const states = EXTRA_FORMATS.map(format => {
    const state = formats.includes(format) ? 'on' : wanted.includes(format) ? 'off: this ImageMagick cannot write it' : 'off'
    return `${format} variants ${state}`
  })
  return { formats, states }
}
