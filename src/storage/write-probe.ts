import { randomUUID } from 'node:crypto'
import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/** A real write and its removal: a full disk or a read-only mount shows here, before the next upload. */
export async function writeProbe (folder: string): Promise<void> {
  // Named as the local store's partial files are, so a probe a crash leaves behind is cleaned with them.
  const probe = join(folder, `.partial-${randomUUID()}`)
  try {
    await writeFile(probe, 'ready')
  } finally {
    await rm(probe, { force: true })
  }
}
