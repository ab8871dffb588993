import { bufferSource, type ByteSource } from '../src/imaging/byte-source.js'

/** A parser's source over `bytes`, counting its steps (reads) and the bytes it asked for. */
export function countingSource (bytes: Buffer): ByteSource & { reads: number, bytesAsked: number } {
  const inner = bufferSource(bytes)
  const source = {
    size: inner.size,
    reads: 0,
    bytesAsked: 0,
    read: async (at: number, length: number) => {
      source.reads++
      source.bytesAsked += length
      return await inner.read(at, length)
    }
  }
  return source
}
