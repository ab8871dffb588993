import { thumbnailFormat, variantKey, type Format } from '../keys.js'
import type { ResizeRule } from '../resizing.js'
import type { Runner } from './run.js'
import { rasterizeSvg } from './svg.js'
import { settleAll } from '../settle.js'

export interface Source {
  path: string
  format: Format
}

export interface Thumbnail {
  key: string
  path: string
}

/**
 * Makes every thumbnail of `key` from the image at `source`, upright whatever its EXIF orientation,
 * into `outDir`. The one entry point for thumbnails: its inside may change, its contract does not.
 */
export async function makeThumbnails (source: Source, key: string, rules: ResizeRule[], outDir: string, run: Runner): Promise<Thumbnail[]> {
  const input = await rasterInput(source, outDir, run)
  const format = thumbnailFormat(source.format)
  return await settleAll(rules.map(async rule => {
    const thumbnail = { key: variantKey(key, rule.suffix), path: `${outDir}/${variantKey(key, rule.suffix)}` }
    await run('convert', [...input, '-auto-orient', ...rule.convert, ...finish(format), `${format}:${thumbnail.path}`])
    return thumbnail
  }))
}

/** The input arguments: the coder always named, one frame for still formats, GIF frames made whole. */
async function rasterInput (source: Source, outDir: string, run: Runner): Promise<string[]> {
  // -regard-warnings: a truncated or corrupt file fails instead of giving a half-grey thumbnail.
  switch (source.format) {
    case 'svg': {
      const raster = `${outDir}/raster.png`
      await rasterizeSvg(source.path, raster, run)
      return ['-regard-warnings', `png:${raster}[0]`]
    }
    case 'gif':
      return ['-regard-warnings', `gif:${source.path}`, '-coalesce']
    default:
      return ['-regard-warnings', `${source.format}:${source.path}[0]`]
  }
}

function finish (format: Format): string[] {
  return format === 'gif' ? ['+repage', '-layers', 'optimize'] : []
}
