import { createWriteStream } from 'node:fs'
import { copyFile, mkdir, readdir, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { falseIfMissing, lastAfterTheRest, ListingStore, MissingKeyError, type Storage, type StoredKey } from './storage.js'
import { PARTIAL, partialName, writeProbe } from './write-probe.js'
import { settleAll } from '../settle.js'

// A plain file name (a key, a key's marker or claim, or one of our partial files): no slash ever reaches the file system.
const SAFE_KEY = /^((pending-)?[A-Za-z0-9_]+(\.[a-z0-9]+)+|\.partial-[0-9a-f-]{36})$/
// Files a listing page holds, as on S3.
const LIST_PAGE = 1000

export class LocalStorage extends ListingStore implements Storage {
  /** `pageSize`: files a listing page holds (tests ask for small pages). */
  constructor (readonly name: string, readonly folder: string, private readonly pageSize = LIST_PAGE) {
    super()
  }

  async init (): Promise<this> {
    await mkdir(this.folder, { recursive: true })
    return this
  }

  path (key: string): string {
    if (!SAFE_KEY.test(key)) throw new Error(`Unsafe storage key: ${JSON.stringify(key)}`)
    return join(this.folder, key)
  }

  async reachable (): Promise<void> {
    await writeProbe(this.folder)
  }

  async exists (key: string): Promise<boolean> {
    return await stat(this.path(key)).then(s => s.isFile(), () => false)
  }

  async put (key: string, path: string): Promise<void> {
    await this.writeWhole(key, async partial => await copyFile(path, partial))
  }

  async putStream (key: string, body: Readable, _length: number): Promise<void> {
    await this.writeWhole(key, async partial => await pipeline(body, createWriteStream(partial)))
  }

  async fetch (key: string, path: string): Promise<void> {
    await copyFile(this.path(key), path).catch(error => {
      throw error.code === 'ENOENT' ? new MissingKeyError(key, this.name) : error
    })
  }

  async moveAll (keys: string[], target: Storage, guard: () => void = () => {}): Promise<string[]> {
    return await lastAfterTheRest(keys, async key => {
      guard()
      return await this.move(key, target).then(() => true, falseIfMissing)
    })
  }

  /** A rename between folders on one file system, else a copy and a removal. */
  private async move (key: string, target: Storage): Promise<void> {
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

  /** The keys that start with `prefix`, with their times, a page at a time; one removed between the listing and its stat is gone. */
  async * list (prefix = ''): AsyncIterable<StoredKey[]> {
    // In S3's order (byte order), so that one image's files come together, as on S3.
    const names = (await readdir(this.folder)).filter(name => name.startsWith(prefix) && SAFE_KEY.test(name)).sort()
    for (let start = 0; start < names.length; start += this.pageSize) {
      const page = names.slice(start, start + this.pageSize)
      const times = await Promise.all(page.map(async name => await stat(this.path(name)).then(s => s.mtime, () => undefined)))
      yield page.flatMap((key, i) => times[i] === undefined ? [] : [{ key, modified: times[i] }])
    }
  }

  async deleteMany (keys: string[]): Promise<void> {
    await settleAll(keys.map(async key => await this.delete(key)))
  }

  async removePartials (before: Date): Promise<void> {
    for await (const page of this.list(PARTIAL)) await this.deleteMany(page.filter(each => each.modified < before).map(each => each.key))
  }

  /** Writes beside the target, then renames: the key appears whole or not at all. */
  private async writeWhole (key: string, write: (partial: string) => Promise<void>): Promise<void> {
    const target = this.path(key)
    const partial = join(this.folder, partialName())
    try {
      await write(partial)
      await rename(partial, target)
    } finally {
      await rm(partial, { force: true })
    }
  }
}

export async function createLocalStorage (name: string, folder: string): Promise<LocalStorage> {
  return await new LocalStorage(name, folder).init()
}
