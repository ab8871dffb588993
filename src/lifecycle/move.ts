import type { Claim } from './key-lock.js'
import { MissingKeyError, type Storage } from '../storage/storage.js'

/** Moves `key` if `from` has it, while `claim` still holds its image; says whether it did. */
export async function moveIfThere (key: string, from: Storage, to: Storage, claim: Claim): Promise<boolean> {
  if (!(await from.exists(key))) return false
  claim.check()
  // A concurrent publish of the same image may have moved it between the check and the move.
  return await from.move(key, to).then(() => true, error => {
    if (!(error instanceof MissingKeyError)) throw error
    return false
  })
}
