import { UnknownImage } from '../errors.js'
import { MissingKeyError, type Storage } from '../storage/storage.js'

/** Copies the original `key` from `store` to the local file `path`; UnknownImage when it is not there (or went meanwhile). */
export async function fetchOriginal (store: Storage, key: string, path: string): Promise<void> {
  await store.fetch(key, path).catch(error => {
    throw error instanceof MissingKeyError ? new UnknownImage(key) : error
  })
}
