import { settleAll } from '../settle.js'
import type { Readable } from 'node:stream'

/** Where images live: the incoming and active stores. Keys are checked names such as `1732790000_0123456789MI.jpg`. */
export interface Storage {
  readonly name: string
  /** Resolves when the store answers and can be written to (a folder check, a HeadBucket); throws otherwise. */
  reachable (): Promise<void>
  exists (key: string): Promise<boolean>
  /** Stores the local file `path` under `key`, replacing what was there; readers never see half a file. */
  put (key: string, path: string): Promise<void>
  /** Stores `length` bytes from `body` under `key`, as `put` does. */
  putStream (key: string, body: Readable, length: number): Promise<void>
  /** Copies `key` to the local file `path`. */
  fetch (key: string, path: string): Promise<void>
  /**
   * Moves the `keys` this store has to `target`, the last one after every other is there, and
   * says which it moved. Each is in `target` before it leaves this store. `guard` runs before each
   * write to `target`; what it throws stops the move.
   */
  moveAll (keys: string[], target: Storage, guard?: () => void): Promise<string[]>
  /** Removes `key`; a key already gone is not an error. */
  delete (key: string): Promise<void>
  /** Every key (or those that start with `prefix`), each with when it was last written by the store's own clock, a page at a time. */
  list (prefix?: string): AsyncIterable<StoredKey[]>
  /** The keys last written before `cutoff`, a page at a time. */
  listOlderThan (cutoff: Date): AsyncIterable<string[]>
  /** The keys that start with `prefix`, each with when it was last written, by the store's own clock. */
  listPrefix (prefix: string): Promise<StoredKey[]>
  /** Removes keys as `listOlderThan` gives them. */
  deleteMany (keys: string[]): Promise<void>
  /** Removes the partial files of writes begun before `before` (a store whose writes are whole has none). */
  removePartials (before: Date): Promise<void>
}

export interface StoredKey {
  key: string
  modified: Date
}

/** The listings each store derives from its own paged `list`. */
export abstract class ListingStore {
  abstract list (prefix?: string): AsyncIterable<StoredKey[]>

  async * listOlderThan (cutoff: Date): AsyncIterable<string[]> {
    for await (const page of this.list()) yield page.filter(each => each.modified < cutoff).map(each => each.key)
  }

  async listPrefix (prefix: string): Promise<StoredKey[]> {
    const found: StoredKey[] = []
    for await (const page of this.list(prefix)) found.push(...page)
    return found
  }
}

/**
 * Runs `move` on every key but the last at once, then on the last: the keys `move` found. An
 * image's original goes last, so that it is not where it goes before the rest of its family.
 */
export async function lastAfterTheRest (keys: string[], move: (key: string) => Promise<boolean>): Promise<string[]> {
  const rest = keys.slice(0, -1)
  const found = await settleAll(rest.map(move))
  const last = keys.length > 0 && await move(keys[keys.length - 1])
  return keys.filter((_key, i) => i < rest.length ? found[i] : last)
}

/** For a failed move: false when the key was not there (another call moved it first), else the error again. */
export function falseIfMissing (error: unknown): false {
  if (error instanceof MissingKeyError) return false
  throw error
}

export class MissingKeyError extends Error {
  override name = 'MissingKeyError'
  constructor (readonly key: string, store: string) {
    super(`${key} is not in ${store}`)
  }
}
