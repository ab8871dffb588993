import type { Config } from '../config/config.js'
import type { Imaging } from '../imaging/imaging.js'
import { EXTRA_FORMATS, FORMAT_RECORDS, type ExtraFormat } from '../formats.js'

/** The WebP/AVIF formats the config asks for and this ImageMagick can write, and a line on each to log. */
export async function extraFormats (config: Config, imaging: Imaging): Promise<{ formats: ExtraFormat[], states: string[] }> {
  const wanted = EXTRA_FORMATS.filter(format => config[FORMAT_RECORDS[format].variantSwitch])
  const writable = wanted.length > 0 ? await imaging.writableExtraFormats() : []
  const formats = wanted.filter(format => writable.includes(format))
  const states = EXTRA_FORMATS.map(format => {
    const state = formats.includes(format) ? 'on' : wanted.includes(format) ? 'off: this ImageMagick cannot write it' : 'off'
    return `${format} variants ${state}`
  })
  return { formats, states }
}
