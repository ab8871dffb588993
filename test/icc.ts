import { writeFileSync } from 'node:fs'

/** Display P3's primaries as Apple's profile states them (adapted to D50), and its D50 white. */
export const DISPLAY_P3 = { red: [0.5151, 0.2412, -0.0011], green: [0.2920, 0.6922, 0.0419], blue: [0.1571, 0.0666, 0.7841] }
const D50 = [0.9642, 1, 0.8249]

/**
 * Writes a display profile (ICC v2, matrix and gamma 2.2 curves) with these primaries, as the
 * one an iPhone tags its photos with: Debian ships no Display P3 profile.
 */
export function matrixProfile (path: string, description: string, primaries: typeof DISPLAY_P3): string {
  const fixed = (value: number): Buffer => {
    const bytes = Buffer.alloc(4)
    bytes.writeInt32BE(Math.round(value * 65536))
    return bytes
  }
  const xyz = (values: number[]): Buffer => Buffer.concat([Buffer.from('XYZ \0\0\0\0', 'latin1'), ...values.map(fixed)])
  const curve = Buffer.from([...Buffer.from('curv\0\0\0\0', 'latin1'), 0, 0, 0, 1, 2, 51, 0, 0])
  const text = Buffer.alloc(12 + description.length + 1 + 12 + 67)
  text.write('desc', 0, 'latin1')
  text.writeUInt32BE(description.length + 1, 8)
  text.write(description, 12, 'latin1')
  const tags: Array<[string, Buffer]> = [['desc', text], ['wtpt', xyz(D50)], ['rXYZ', xyz(primaries.red)], ['gXYZ', xyz(primaries.green)], ['bXYZ', xyz(primaries.blue)], ['rTRC', curve], ['gTRC', curve], ['bTRC', curve]]
  const table = Buffer.alloc(4 + 12 * tags.length)
  table.writeUInt32BE(tags.length)
  let offset = 128 + table.length
  const bodies = tags.map(([signature, body], i) => {
    table.write(signature, 4 + 12 * i, 'latin1')
    table.writeUInt32BE(offset, 8 + 12 * i)
    table.writeUInt32BE(body.length, 12 + 12 * i)
    const padded = Buffer.concat([body, Buffer.alloc((4 - body.length % 4) % 4)])
    offset += padded.length
    return padded
  })
  const header = Buffer.alloc(128)
  header.writeUInt32BE(offset, 0)
  header.writeUInt32BE(0x02100000, 8)
  header.write('mntrRGB XYZ ', 12, 'latin1')
  header.write('acsp', 36, 'latin1')
  D50.forEach((value, i) => fixed(value).copy(header, 68 + 4 * i))
  writeFileSync(path, Buffer.concat([header, table, ...bodies]))
  return path
}
