import t from 'tap'
import { MemoryStorage } from '../memory-storage.js'
import { storageContract } from './contract.js'

// The store the lease tests run on passes what local folders and S3 pass.
storageContract(t, async (_t, pageSize) => {
  const incoming = new MemoryStorage('incoming', undefined, pageSize)
  const active = new MemoryStorage('active', undefined, pageSize)
  return { incoming, active, age: async (store, key, seconds) => (store as MemoryStorage).age(key, seconds * 1000) }
})
