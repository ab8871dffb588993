import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'

// Only our own job folders are ever swept, in case TEMP_FOLDER points somewhere shared.
const PREFIX = 'job-'

/** A private folder for one request's files; `remove()` is called on every path out. */
export interface Workspace {
  readonly dir: string
  file (name: string): string
  remove (): Promise<void>
}

export class TempFolder {
  constructor (readonly folder: string) {}

  /** Creates the folder and removes what a killed process left behind. */
  async init (): Promise<this> {
    await mkdir(this.folder, { recursive: true })
    const leftovers = (await readdir(this.folder)).filter(name => name.startsWith(PREFIX))
    await Promise.all(leftovers.map(async name => await rm(join(this.folder, name), { recursive: true, force: true })))
    return this
  }

  async workspace (): Promise<Workspace> {
    const dir = await mkdtemp(join(this.folder, PREFIX))
    return {
      dir,
      file: name => join(dir, name),
      remove: async () => await rm(dir, { recursive: true, force: true })
    }
  }
}
