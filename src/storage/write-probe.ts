import { randomUUID } from 'node:crypto'
import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/** What a local write is named until it is whole: renamed then, removed by a later sweep if its process died. */
export const PARTIAL = '.partial-'

export function partialName (): string {
  return `${PARTIAL}${randomUUID()}`
}

/** A real write and its removal: a full disk or a read-only mount shows here, before the next upload. */
export async function writeProbe (folder: string): Promise<void> {
  // Named as the local store's partial files are, so a probe a crash leaves behind is cleaned with them.
  const probe = join(folder, partialName())
  try {
    await writeFile(probe, 'ready')
  } finally {
    await rm(probe, { force: true })
  }
}
