import { randomUUID } from 'node:crypto'
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { MissingKeyError, type Storage } from './storage.js'

// A key is a plain file name; anything else (slashes, dots first) never reaches the file system.
const SAFE_KEY = /^[A-Za-z0-9_]+\.[a-z]+$/

export class LocalStorage implements Storage {
  constructor (readonly name: string, readonly folder: string) {}

  async init (): Promise<this> {
    await mkdir(this.folder, { recursive: true })
    return this
  }

  path (key: string): string {
    if (!SAFE_KEY.test(key)) throw new Error(`Unsafe storage key: ${JSON.stringify(key)}`)
    return join(this.folder, key)
  }

  async exists (key: string): Promise<boolean> {
    return await stat(this.path(key)).then(s => s.isFile(), () => false)
  }

  async put (key: string, path: string): Promise<void> {
    // Copy beside the target, then rename: the key appears whole or not at all.
    const partial = join(this.folder, `.partial-${randomUUID()}`)
    try {
      await copyFile(path, partial)
      await rename(partial, this.path(key))
    } finally {
      await rm(partial, { force: true })
    }
  }

  async fetch (key: string, path: string): Promise<void> {
    await copyFile(this.path(key), path).catch(error => {
      throw error.code === 'ENOENT' ? new MissingKeyError(key, this.name) : error
    })
  }

  async move (key: string, target: Storage): Promise<void> {
    const source = this.path(key)
    if (target instanceof LocalStorage) {
      try {
        return await rename(source, target.path(key))
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        if (code === 'ENOENT') throw new MissingKeyError(key, this.name)
        if (code !== 'EXDEV') throw error
      }
    }
    await target.put(key, source)
    await rm(source, { force: true })
  }

  async delete (key: string): Promise<void> {
    await rm(this.path(key), { force: true })
  }
}

export async function createLocalStorage (name: string, folder: string): Promise<LocalStorage> {
  return await new LocalStorage(name, folder).init()
}
