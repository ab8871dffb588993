import type { ResizeRule } from '../config/resizing.js'
import type { Runner } from './run.js'
import { svgRenderSize } from './thumbnail-plan.js'
import type { Source } from './source.js'

// Measured with librsvg 2.54: about 7 bytes a pixel of an embedded image (36 MP took 264 MB),
// and a few surfaces of the output size for filters and compositing.
const BYTES_PER_EMBEDDED_PIXEL = 8
const BYTES_PER_RENDERED_PIXEL = 16

/**
 * Renders an SVG to PNG on white at the size the thumbnails need, not the size it declares. The
 * SVG comes in on standard input, so it has no base address and librsvg resolves none of its
 * external references (no local files, no network). The PNG made, with its size.
 */
export async function rasterizeSvg (svg: Source, rules: ResizeRule[], outDir: string, run: Runner): Promise<Source> {
  const path = `${outDir}/raster.png`
  const size = svg.width === undefined || svg.height === undefined ? undefined : svgRenderSize(rules, svg.width, svg.height)
  const fit = size === undefined ? [] : [`--width=${size[0]}`, `--height=${size[1]}`, '--keep-aspect-ratio']
  const memory = BYTES_PER_EMBEDDED_PIXEL * (svg.embeddedPixels ?? 0) + BYTES_PER_RENDERED_PIXEL * (size === undefined ? 0 : size[0] * size[1])
  await run('rsvg-convert', ['--format=png', '--background-color=white', ...fit, '--output', path], { stdin: svg.path, memory })
  return { path, format: 'png', width: size?.[0], height: size?.[1] }
}
