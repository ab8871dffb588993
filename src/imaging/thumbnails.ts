import type { ExtraFormat, Format } from '../formats.js'
import { thumbnailKey, thumbnailFormat } from '../keys.js'
import type { ResizeRule } from '../config/resizing.js'
import { TO_SRGB } from './colour.js'
import { CommandError, type Runner } from './run.js'
import type { Source } from './source.js'
import { rasterizeSvg } from './svg.js'
import { detectFormat } from './detect-format.js'
import { cascadeSource, commutesWithTurn, jpegSizeHint, pipelineArgs, pipelineMemory } from './thumbnail-plan.js'

export interface Thumbnail {
  key: string
  path: string
  width: number
  height: number
}

/** The largest of some thumbnails: what variants are made from, about six times cheaper than the original. */
export function largest (thumbnails: Thumbnail[]): Thumbnail {
  return thumbnails.reduce((a, b) => b.width * b.height > a.width * a.height ? b : a)
}

// The one resize from the full decode uses a two-lobe Lanczos: 15% faster on 12 MP, and as close
// to a full Lanczos reference (PSNR, after JPEG) as the per-size command's three lobes.
const CASCADE_FILTER = ['-define', 'filter:lobes=2']

/** Called after each pass with its output formats (`webp+avif`), the size suffixes it made (`BI,MI,SI`) and its seconds. */
export type ThumbnailTimer = (formats: string, suffixes: string, seconds: number) => void

/**
 * Makes every thumbnail of `key` from the image at `source`, upright whatever its EXIF orientation
 * and in sRGB whatever its colour profile, into `outDir`: in the source's thumbnail format, or in
 * `as` (WebP and/or AVIF). One ImageMagick run decodes the source once and writes every size. The
 * one entry point for thumbnails.
 */
export async function makeThumbnails (
  given: Source, key: string, rules: ResizeRule[], outDir: string, run: Runner,
  { as, timer }: { as?: ExtraFormat[], timer?: ThumbnailTimer } = {}
): Promise<Thumbnail[]> {
  const formats: Array<Format | ExtraFormat> = as ?? [thumbnailFormat(given.format)]
  // An SVG is rendered once, at the size the thumbnails need, and made into them as a PNG.
  const source = given.format === 'svg' ? await rasterizeSvg(await withSize(given, run), rules, outDir, run) : await withSize(given, run)
  // AVIF here holds one still image: from an animated GIF it gets a pass of its own, on frame 0.
  if (source.format === 'gif' && formats.includes('avif') && formats.length > 1) {
    const still = await makeThumbnails(source, key, rules, outDir, run, { as: ['avif'], timer })
    const animated = await makeThumbnails(source, key, rules, outDir, run, { as: as?.filter(format => format !== 'avif'), timer })
    return [...still, ...animated]
  }
  const outputs = rules.flatMap(rule => formats.map(format => ({ rule, format, key: thumbnailKey(key, rule.suffix, format) })))
  // One branch a size, each from a clone of the decoded image: all frames, written in every format.
  // A cascade source, when there is one, is made first on the image itself and feeds the others.
  const first = source.width === undefined || source.height === undefined || formats.includes('gif') ? undefined : cascadeSource(rules, source.width, source.height)
  const write = (rule: ResizeRule): string[] => [
    '-print', `${rule.suffix} %w %h\\n`,
    ...formats.flatMap(format => ['-write', `${format}:${outDir}/${thumbnailKey(key, rule.suffix, format)}`])
  ]
  // Upright and sRGB: after the cascade's first resize when that commutes with the turn, on far fewer pixels.
  const turnLate = first !== undefined && commutesWithTurn(first)
  const turn = ['-auto-orient', ...TO_SRGB]
  const branches = [
    ...(first === undefined ? [] : [...CASCADE_FILTER, ...pipelineArgs(first, source.width, source.height), '+define', 'filter:lobes', ...(turnLate ? turn : []), ...write(first)]),
    ...rules.filter(rule => rule !== first).flatMap(rule => [
      '(', '-clone', '0--1', ...pipelineArgs(rule, source.width, source.height), ...finish(formats), ...write(rule), '-delete', '0--1', ')'
    ])
  ]
  const started = process.hrtime.bigint()
  const input = inputArgs(source, rules, formats)
  // Profiles go once, before the branches, but the colour profile, which the turn to sRGB uses.
  const pass = async (strip: string): Promise<string> =>
    await run('convert', [...input, '+profile', strip, ...(turnLate ? [] : turn), '-respect-parentheses', ...branches, 'null:'], { memory: memory(source, rules, formats) })
  // A colour profile lcms cannot read is ignored, as browsers ignore it: the pass runs again without it.
  const sizes = await pass('!icc,*').catch(async (error: unknown) => {
    if (!(error instanceof CommandError && error.stderr.includes('ColorspaceColorProfileMismatch'))) throw error
    return await pass('*')
  })
  timer?.(formats.join('+'), rules.map(rule => rule.suffix).join(','), Number(process.hrtime.bigint() - started) / 1e9)
  const dimensions = new Map(sizes.trim().split('\n').map(line => {
    const [suffix, width, height] = line.split(' ')
    return [suffix, [Number(width), Number(height)]]
  }))
  return outputs.map(output => {
    const [width, height] = dimensions.get(output.rule.suffix) ?? [0, 0]
    return { key: output.key, path: `${outDir}/${output.key}`, width, height }
  })
}

/** The source with its size read from its header (an SVG's from its root) when the caller did not know it. */
async function withSize (source: Source, run: Runner): Promise<Source> {
  if (source.width !== undefined) return source
  const detected = await detectFormat(source.path, run)
  return detected?.format === source.format ? { ...source, width: detected.width, height: detected.height, frames: detected.frames, embeddedPixels: detected.embeddedPixels } : source
}

function memory ({ format, width, height, frames }: Source, rules: ResizeRule[], formats: Array<Format | ExtraFormat>): number {
  if (width === undefined || height === undefined) return 0
  // AVIF takes the first frame only.
  return pipelineMemory(rules, format === 'jpg', width, height, formats.includes('avif') ? 1 : frames)
}

/**
 * The input arguments: the coder always named, one frame for still formats, GIF frames made whole.
 * A damaged file that still decodes (stray bytes, a missing end, a bad checksum on a text chunk,
 * a truncated JPEG) is taken as browsers show it: ImageMagick's warnings are logged, not fatal.
 */
function inputArgs (source: Source, rules: ResizeRule[], formats: Array<Format | ExtraFormat>): string[] {
  switch (source.format) {
    case 'gif':
      return formats.includes('avif') ? [`gif:${source.path}[0]`] : [`gif:${source.path}`, '-coalesce']
    case 'jpg': {
      const hint = source.width === undefined || source.height === undefined ? undefined : jpegSizeHint(rules, source.width, source.height)
      return [...(hint === undefined ? [] : ['-define', `jpeg:size=${hint}`]), `jpg:${source.path}[0]`]
    }
    default:
      return [`${source.format}:${source.path}[0]`]
  }
}

function finish (formats: Array<Format | ExtraFormat>): string[] {
  return formats.includes('gif') ? ['+repage', '-layers', 'optimize'] : []
}
