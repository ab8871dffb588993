import type { ConvertedFormat } from '../formats.js'

// The ftyp brands of HEIF (HEVC, or any codec) and AVIF files: still images, and image sequences.
const STILL_BRANDS: Record<string, ConvertedFormat> = { heic: 'heic', heix: 'heic', heim: 'heic', heis: 'heic', mif1: 'heic', avif: 'avif' }
const SEQUENCE_BRANDS: Record<string, ConvertedFormat> = { hevc: 'heic', hevx: 'heic', hevm: 'heic', hevs: 'heic', msf1: 'heic', avis: 'avif' }

/**
 * What a file's leading `ftyp` box says: HEIC or AVIF, and whether its main brand is an image
 * sequence (an animation). Undefined when it is no HEIF file.
 */
export function heifBrand (head: Buffer): { format: ConvertedFormat, sequence: boolean } | undefined {
  if (head.length < 16 || head.toString('latin1', 4, 8) !== 'ftyp') return undefined
  const end = Math.min(head.readUInt32BE(0), head.length)
  const major = head.toString('latin1', 8, 12)
  const brands = [major]
  for (let at = 16; at + 4 <= end; at += 4) brands.push(head.toString('latin1', at, at + 4))
  const format = brands.includes('avif') || brands.includes('avis') ? 'avif' : brands.map(brand => STILL_BRANDS[brand] ?? SEQUENCE_BRANDS[brand]).find(found => found !== undefined)
  return format === undefined ? undefined : { format, sequence: major in SEQUENCE_BRANDS }
}
