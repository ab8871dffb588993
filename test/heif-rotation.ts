// libheif 1.15's encoder cannot write a rotation property, which is how an iPhone stores a photo
// taken sideways: this adds one to a file heif-enc wrote, box by box.

interface Box {
  type: string
  start: number
  size: number
  /** Where its children begin: after its header, and after version and flags for a full box. */
  body: number
}

const FULL_BOXES = new Set(['meta', 'ipma', 'iloc', 'pitm'])

function boxes (file: Buffer, from: number, to: number): Box[] {
  const found: Box[] = []
  for (let at = from; at + 8 <= to;) {
    const size = file.readUInt32BE(at)
    const type = file.toString('latin1', at + 4, at + 8)
    found.push({ type, start: at, size, body: at + 8 + (FULL_BOXES.has(type) ? 4 : 0) })
    at += size
  }
  return found
}

const child = (file: Buffer, parent: Box, type: string): Box => {
  const found = boxes(file, parent.body, parent.start + parent.size).find(box => box.type === type)
  if (found === undefined) throw new Error(`no ${type} in ${parent.type}`)
  return found
}

/** Reads an unsigned big-endian number of `bytes` (0, 2, 4 or 8) at `at`. */
const uint = (file: Buffer, at: number, bytes: number): number => bytes === 0 ? 0 : Number(file.readUIntBE(at, Math.min(bytes, 6)))

/** Adds `delta` to every file offset the iloc box states for data outside the meta box. */
function shiftLocations (file: Buffer, iloc: Box, delta: number): void {
  const version = file[iloc.body - 4]
  const [offsetSize, lengthSize, baseSize] = [file[iloc.body] >> 4, file[iloc.body] & 15, file[iloc.body + 1] >> 4]
  const indexSize = version > 0 ? file[iloc.body + 1] & 15 : 0
  const idSize = version < 2 ? 2 : 4
  let at = iloc.body + 2
  const count = uint(file, at, idSize)
  at += idSize
  for (let item = 0; item < count; item++) {
    at += idSize
    const method = version > 0 ? file.readUInt16BE(at) & 15 : 0
    at += (version > 0 ? 2 : 0) + 2
    const base = at
    at += baseSize
    const extents = file.readUInt16BE(at)
    at += 2
    for (let extent = 0; extent < extents; extent++) {
      at += indexSize
      // Only data in the file itself moves (method 0); the base offset carries the shift when there is one.
      if (method === 0 && baseSize === 0) file.writeUIntBE(uint(file, at, offsetSize) + delta, at, offsetSize)
      at += offsetSize + lengthSize
    }
    if (method === 0 && baseSize > 0) file.writeUIntBE(uint(file, base, baseSize) + delta, base, baseSize)
  }
}

/** A copy of a single-image HEIF file whose primary image is turned `quarters` × 90° anticlockwise by an `irot` property. */
export function withRotation (heif: Buffer, quarters: number): Buffer {
  const file = Buffer.from(heif)
  const meta = boxes(file, 0, file.length).find(box => box.type === 'meta') as Box
  const iprp = child(file, meta, 'iprp')
  const [ipco, ipma] = [child(file, iprp, 'ipco'), child(file, iprp, 'ipma')]
  const irot = Buffer.from([0, 0, 0, 9, ...Buffer.from('irot', 'latin1'), quarters & 3])
  const index = boxes(file, ipco.body, ipco.start + ipco.size).length + 1
  // ipma (version 0, 8-bit indexes, one entry): item id (2), association count (1), then one byte each.
  if (file.readUInt32BE(ipma.body) !== 1 || file[ipma.body - 4] !== 0 || (file[ipma.body - 1] & 1) !== 0) throw new Error('not a file heif-enc wrote')
  const countAt = ipma.body + 6
  const associationsEnd = countAt + 1 + file[countAt]
  const grown = 10
  shiftLocations(file, child(file, meta, 'iloc'), grown)
  file[countAt] += 1
  for (const box of [meta, iprp]) file.writeUInt32BE(box.size + grown, box.start)
  file.writeUInt32BE(ipco.size + irot.length, ipco.start)
  file.writeUInt32BE(ipma.size + 1, ipma.start)
  // One copy with both insertions: ipco ends before ipma's associations begin.
  return Buffer.concat([
    file.subarray(0, ipco.start + ipco.size), irot,
    file.subarray(ipco.start + ipco.size, associationsEnd), Buffer.from([0x80 | index]),
    file.subarray(associationsEnd)
  ])
}
