import type { ResizeRule } from '../config/resizing.js'
import { MAX_SIDE } from './limits.js'

const RESIZE_OPTIONS = new Set(['-thumbnail', '-resize', '-scale', '-sample', '-adaptive-resize'])
const GEOMETRY = /^(\d+)x(\d+)([\^!<>]*)$/

/**
 * The `-define jpeg:size=WxH` hint for a JPEG of `width`×`height`: libjpeg then decodes at the
 * smallest 1/8 step that is still at least twice every target, which is far cheaper than a full
 * decode. Undefined when a rule's size cannot be read, or when the hint would not shrink anything
 * (a hint larger than the image makes libjpeg decode at twice its size).
 */
export function jpegSizeHint (rules: ResizeRule[], width: number, height: number): string | undefined {
  return shrinkOnLoad(rules, width, height)?.join('x')
}

/** The size behind jpegSizeHint: twice what the largest thumbnail needs, when that is smaller than the image. */
function shrinkOnLoad (rules: ResizeRule[], width: number, height: number): [number, number] | undefined {
  let largest = 0
  for (const rule of rules) {
    const scale = ruleScale(rule, width, height)
    if (scale === undefined) return undefined
    largest = Math.max(largest, scale)
  }
  const decode = 2 * largest
  if (decode >= 1) return undefined
  return [Math.ceil(width * decode), Math.ceil(height * decode)]
}

// An SVG is never rendered larger than this, whatever it declares and the rules ask.
const SVG_RENDER_PIXELS = 16_000_000

/**
 * The size to render an SVG of `width`×`height` at: twice what the largest thumbnail needs, as for
 * a JPEG's shrink on load, at most its declared size and SVG_RENDER_PIXELS.
 */
export function svgRenderSize (rules: ResizeRule[], width: number, height: number): [number, number] {
  const [w, h] = shrinkOnLoad(rules, width, height) ?? [width, height]
  const shrink = Math.min(1, Math.sqrt(SVG_RENDER_PIXELS / (w * h)))
  return [Math.max(1, Math.round(w * shrink)), Math.max(1, Math.round(h * shrink))]
}

// Measured: a 12 MP JPEG decoded whole and made into the three default sizes, turned after the
// first shrink, takes 153 MB in convert.
const BYTES_PER_DECODED_PIXEL = 13

/** About how many bytes one pipeline run takes: its decoded pixels (after any shrink-on-load), every frame. */
export function pipelineMemory (rules: ResizeRule[], jpeg: boolean, width: number, height: number, frames = 1): number {
  const shrunk = jpeg ? shrinkOnLoad(rules, width, height) : undefined
  const pixels = shrunk === undefined ? width * height * frames : shrunk[0] * shrunk[1]
  return BYTES_PER_DECODED_PIXEL * pixels
}

/**
 * The rule whose output can feed all the others: a plain resize (nothing but the resize and
 * `-quality`) at least twice as large as every other output, for either orientation. From it the
 * smaller sizes resize a 1.5 MP image instead of the full decode, and lose nothing measurable.
 */
export function cascadeSource (rules: ResizeRule[], width: number, height: number): ResizeRule | undefined {
  const scales = rules.map(rule => ruleScale(rule, width, height))
  if (scales.some(scale => scale === undefined)) return undefined
  const largest = scales.indexOf(Math.max(...(scales as number[])))
  const plain = rules[largest].convert.every((arg, i, all) => RESIZE_OPTIONS.has(arg) || RESIZE_OPTIONS.has(all[i - 1]) || arg === '-quality' || all[i - 1] === '-quality')
  const wide = scales.every((scale, i) => i === largest || 2 * (scale as number) <= (scales[largest] as number))
  return plain && wide && rules.length > 1 ? rules[largest] : undefined
}

/**
 * Whether turning the image commutes with this rule: a resize to a square box. The cascade source
 * is then turned after it shrinks (1.5 MP rather than the whole decode).
 */
export function commutesWithTurn (rule: ResizeRule): boolean {
  const at = rule.convert.findIndex(arg => RESIZE_OPTIONS.has(arg))
  const match = GEOMETRY.exec(rule.convert[at + 1] ?? '')
  return at >= 0 && match !== null && match[1] === match[2]
}

/**
 * How much a rule scales the image, whichever way the EXIF orientation turns it (both are
 * tried, as the hint is given before -auto-orient).
 */
function ruleScale (rule: ResizeRule, width: number, height: number): number | undefined {
  const at = rule.convert.findIndex(arg => RESIZE_OPTIONS.has(arg))
  const match = GEOMETRY.exec(rule.convert[at + 1] ?? '')
  if (at < 0 || match === null) return undefined
  const [, w, h, flags] = match
  const scaleFor = (iw: number, ih: number): number => {
    const x = Number(w) / iw
    const y = Number(h) / ih
    const fit = flags.includes('^') || flags.includes('!') ? Math.max(x, y) : Math.min(x, y)
    return flags.includes('>') ? Math.min(fit, 1) : fit
  }
  return Math.max(scaleFor(width, height), scaleFor(height, width))
}

/**
 * A rule's arguments for the one-pass pipeline: `-thumbnail` becomes `-resize`, because on a
 * large reduction -thumbnail first samples to five times the target, which from an image already
 * shrunk on load is an upscale. (Profiles are stripped once for all outputs instead.)
 */
export function pipelineArgs (rule: ResizeRule, width?: number, height?: number): string[] {
  return [...cropFirst(rule, width, height), ...rule.convert.map(arg => arg === '-thumbnail' ? '-resize' : arg)]
}

/**
 * A fill-and-crop rule (a `WxH^` resize, then an `-extent` that fits in that box) keeps only the
 * part of the image of the box's shape, placed by the rule's gravity. When filling the box would
 * grow a side past MAX_SIDE (a 1×16000 image filling 200×200 would be 200×3200000), the image is
 * cropped to that shape first: the same part of it, and the resize never grows a side past the
 * box. (Not for every image: the crop falls half a pixel differently from the extent's.)
 */
function cropFirst (rule: ResizeRule, width?: number, height?: number): string[] {
  const at = rule.convert.findIndex(arg => RESIZE_OPTIONS.has(arg))
  const box = GEOMETRY.exec(rule.convert[at + 1] ?? '')
  const extentAt = rule.convert.indexOf('-extent', at)
  const extent = GEOMETRY.exec(rule.convert[extentAt + 1] ?? '')
  if (at < 0 || box?.[3] !== '^' || extentAt < 0 || extent === null) return []
  if (Number(extent[1]) > Number(box[1]) || Number(extent[2]) > Number(box[2])) return []
  // Whichever way the image is turned, its filled side is at most the box's larger side times its aspect ratio.
  const aspect = width === undefined || height === undefined ? Infinity : Math.max(width, height) / Math.max(1, Math.min(width, height))
  if (Math.max(Number(box[1]), Number(box[2])) * aspect <= MAX_SIDE) return []
  const gravity = rule.convert.slice(0, extentAt).lastIndexOf('-gravity')
  // ImageMagick's aspect-ratio crop: the largest W:H part of the image.
  return ['-gravity', gravity < 0 ? 'NorthWest' : rule.convert[gravity + 1], '-crop', `${box[1]}:${box[2]}`, '+repage', '+gravity']
}
