import { MissingKeyError, type Storage } from './storage.js'

// The calls of the Storage interface; what else a store has (its own helpers) is left alone.
const CALLS = new Set(['reachable', 'exists', 'put', 'putStream', 'fetch', 'moveAll', 'delete', 'listPrefix', 'deleteMany', 'removePartials'])
const LISTINGS = new Set(['list', 'listOlderThan'])

/**
 * `storage`, each of its calls that fails told to `failed` with the call's name: what the
 * store's own retries could not mend. A missing key is an answer, not a failure.
 */
export function countingErrors (storage: Storage, failed: (operation: string) => void): Storage {
  const count = (operation: string, error: unknown): never => {
    if (!(error instanceof MissingKeyError)) failed(operation)
    throw error
  }
  return new Proxy(storage, {
    get (target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver)
      if (typeof name !== 'string' || typeof value !== 'function') return value
      if (CALLS.has(name)) return async (...args: unknown[]) => await value.apply(target, args).catch((error: unknown) => count(name, error))
      if (!LISTINGS.has(name)) return value
      return async function * (...args: unknown[]) {
        try {
          yield * value.apply(target, args)
        } catch (error) {
          count(name, error)
        }
      }
    }
  })
}
