import { variantKey, thumbnailFormat, type ExtraFormat, type Format } from '../keys.js'
import type { ResizeRule } from '../resizing.js'
import { settleAll } from '../settle.js'
import type { Runner } from './run.js'
import { rasterizeSvg } from './svg.js'

export interface Source {
  path: string
  format: Format
}

export interface Thumbnail {
  key: string
  path: string
  width: number
  height: number
}

/** Called after each thumbnail with its output format, suffix and the seconds it took. */
export type ThumbnailTimer = (format: string, suffix: string, seconds: number) => void

/**
 * Makes every thumbnail of `key` from the image at `source`, upright whatever its EXIF orientation,
 * into `outDir`: in the source's thumbnail format, or in `as` (WebP, AVIF). The one entry point
 * for thumbnails: its inside may change, its contract does not.
 */
export async function makeThumbnails (
  source: Source, key: string, rules: ResizeRule[], outDir: string, run: Runner,
  { as, timer }: { as?: ExtraFormat, timer?: ThumbnailTimer } = {}
): Promise<Thumbnail[]> {
  const format = as ?? thumbnailFormat(source.format)
  const input = await rasterInput(source, outDir, run, format)
  return await settleAll(rules.map(async rule => {
    const name = variantKey(key, rule.suffix, format)
    const path = `${outDir}/${name}`
    const started = process.hrtime.bigint()
    // -print after the last operation: the size written, for the caller to choose from.
    const size = await run('convert', [...input, '-auto-orient', ...rule.convert, ...finish(format), '-print', '%w %h', `${format}:${path}`])
    timer?.(format, rule.suffix, Number(process.hrtime.bigint() - started) / 1e9)
    const [width, height] = size.split(' ').map(Number)
    return { key: name, path, width, height }
  }))
}

/** The input arguments: the coder always named, one frame for still formats, GIF frames made whole. */
async function rasterInput (source: Source, outDir: string, run: Runner, output: string): Promise<string[]> {
  // -regard-warnings: a truncated or corrupt file fails instead of giving a half-grey thumbnail.
  switch (source.format) {
    case 'svg': {
      const raster = `${outDir}/raster.png`
      await rasterizeSvg(source.path, raster, run)
      return ['-regard-warnings', `png:${raster}[0]`]
    }
    case 'gif':
      // AVIF here holds one still image; GIF and WebP keep the animation.
      return output === 'avif'
        ? ['-regard-warnings', `gif:${source.path}[0]`]
        : ['-regard-warnings', `gif:${source.path}`, '-coalesce']
    default:
      return ['-regard-warnings', `${source.format}:${source.path}[0]`]
  }
}

function finish (format: string): string[] {
  return format === 'gif' ? ['+repage', '-layers', 'optimize'] : []
}
