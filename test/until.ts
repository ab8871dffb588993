import { setTimeout } from 'node:timers/promises'

// Generous, as tap's own limit for a file (300 s) is, and below it: a state never reached is then
// named by its label, not by a timeout of the whole file.
const DEADLINE_MS = 240_000

/**
 * Waits until `condition` holds, looking every 20 ms; past the deadline, fails naming `awaited`,
 * the state it waited for. A busy machine only makes a test slower, never wrong.
 */
export async function until (condition: () => boolean | Promise<boolean>, awaited: string): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Waited ${DEADLINE_MS / 1000} s for ${awaited}`)
    await setTimeout(20)
  }
}
