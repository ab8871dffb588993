import type { Runner } from './run.js'

/**
 * Renders an SVG to PNG on white. The SVG comes in on standard input, so it has no base
 * address and librsvg resolves none of its external references (no local files, no network).
 */
export async function rasterizeSvg (svgPath: string, pngPath: string, run: Runner): Promise<void> {
  await run('rsvg-convert', ['--format=png', '--background-color=white', '--output', pngPath], { stdin: svgPath })
}
