import { open } from 'node:fs/promises'

/**
 * The bytes of an uploaded file as our own parsers read them: a block at a time, so that walking
 * many small headers costs one disk read per block, never one per header or byte. Every length a
 * parser asks for is checked against the file's real size by the parser before it asks.
 */
export interface ByteSource {
  readonly size: number
  /** `length` bytes from `at` (fewer at the end of the file). */
  read: (at: number, length: number) => Promise<Buffer>
}

// One block serves a run of headers; a larger request is read as asked.
const BLOCK = 64 * 1024

/** The bytes of a buffer: what the fuzz tests give the parsers. */
export function bufferSource (bytes: Buffer): ByteSource {
  return { size: bytes.length, read: async (at, length) => bytes.subarray(at, at + length) }
}

/** Runs `parse` over the file at `path`, read a block at a time; the file is closed after. */
export async function withFileSource<T> (path: string, parse: (source: ByteSource) => Promise<T>): Promise<T> {
  const file = await open(path)
  try {
    const { size } = await file.stat()
    let block = Buffer.alloc(0)
    let blockStart = 0
    const read = async (at: number, length: number): Promise<Buffer> => {
      if (at >= blockStart && at + length <= blockStart + block.length) return block.subarray(at - blockStart, at - blockStart + length)
      const wanted = Math.max(0, Math.min(Math.max(length, BLOCK), size - at))
      const { buffer, bytesRead } = await file.read(Buffer.alloc(wanted), 0, wanted, at)
      if (length <= BLOCK) [block, blockStart] = [buffer.subarray(0, bytesRead), at]
      return buffer.subarray(0, Math.min(length, bytesRead))
    }
    return await parse({ size, read })
  } finally {
    await file.close()
  }
}
