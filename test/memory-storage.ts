import { readFile, writeFile } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { systemClock, type Clock } from '../src/lifecycle/clock.js'
import { lastAfterTheRest, ListingStore, MissingKeyError, type Storage, type StoredKey } from '../src/storage/storage.js'

interface StoredObject {
  bytes: Buffer
  modified: Date
}

/**
 * A store in memory, whose objects are stamped by `clock`: with a fake clock, leases and sweeps
 * are tested in milliseconds. It passes the contract that local folders and S3 pass.
 */
export class MemoryStorage extends ListingStore implements Storage {
  private readonly objects = new Map<string, StoredObject>()

  constructor (readonly name: string, private readonly clock: Clock = systemClock, private readonly pageSize = 1000) {
    super()
  }

  /** Every stored name, sorted. */
  get keys (): string[] {
    return [...this.objects.keys()].sort()
  }

  /** Makes `key` look written `ms` before it was. */
  age (key: string, ms: number): void {
    const object = this.objects.get(key)
    if (object !== undefined) object.modified = new Date(object.modified.getTime() - ms)
  }

  async reachable (): Promise<void> {}

  async exists (key: string): Promise<boolean> {
    return this.objects.has(key)
  }

  async put (key: string, path: string): Promise<void> {
    this.store(key, await readFile(path))
  }

  async putStream (key: string, body: Readable, length: number): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of body) chunks.push(Buffer.from(chunk as Buffer))
    const bytes = Buffer.concat(chunks)
    if (bytes.length !== length) throw new Error(`${key}: ${bytes.length} bytes sent, ${length} said`)
    this.store(key, bytes)
  }

  async fetch (key: string, path: string): Promise<void> {
    await writeFile(path, this.read(key))
  }

  async moveAll (keys: string[], target: Storage, guard: () => void = () => {}): Promise<string[]> {
    return await lastAfterTheRest(keys, async key => {
      guard()
      const object = this.objects.get(key)
      if (object === undefined) return false
      await target.putStream(key, Readable.from([object.bytes]), object.bytes.length)
      this.objects.delete(key)
      return true
    })
  }

  async delete (key: string): Promise<void> {
    this.objects.delete(key)
  }

  async * list (prefix = ''): AsyncIterable<StoredKey[]> {
    const names = this.keys.filter(key => key.startsWith(prefix))
    for (let start = 0; start < names.length; start += this.pageSize) {
      yield names.slice(start, start + this.pageSize).flatMap(key => {
        const object = this.objects.get(key)
        return object === undefined ? [] : [{ key, modified: object.modified }]
      })
    }
  }

  async deleteMany (keys: string[]): Promise<void> {
    for (const key of keys) this.objects.delete(key)
  }

  /** Its writes are whole: no partial files. */
  async removePartials (): Promise<void> {}

  private store (key: string, bytes: Buffer): void {
    // S3 keeps times in whole seconds; so does this store, so that leases meet the same slack.
    this.objects.set(key, { bytes, modified: new Date(Math.floor(this.clock.now() / 1000) * 1000) })
  }

  private read (key: string): Buffer {
    const object = this.objects.get(key)
    if (object === undefined) throw new MissingKeyError(key, this.name)
    return object.bytes
  }
}
