import { EXTRA_FORMATS, FORMAT_RECORDS, type ExtraFormat } from '../formats.js'
import type { Runner } from './run.js'

/** The extra formats this ImageMagick can write, from `convert -list format` (its coder's mode column `rw`). */
export async function writableExtraFormats (run: Runner): Promise<ExtraFormat[]> {
  const list = await run('convert', ['-list', 'format'])
  return EXTRA_FORMATS.filter(format =>
    new RegExp(`^\\s*${FORMAT_RECORDS[format].coder}\\*?\\s+\\S+\\s+[r-]w`, 'im').test(list))
}
