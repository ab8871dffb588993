import { setTimeout } from 'node:timers/promises'

/**
 * Waits until `condition` holds, looking every 20 ms. No limit of its own: tap's timeout for the
 * whole file is the one outer limit, so a busy machine only makes a test slower, never wrong.
 */
export async function until (condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await setTimeout(20)
}
