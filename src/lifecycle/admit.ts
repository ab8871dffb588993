import { Busy } from '../errors.js'
import type { Queue } from '../imaging/queue.js'

/** Busy, with the seconds to wait, when `limit` image commands already wait for a slot: instead of piling up more. */
export function admit (queue: Queue, limit: number): void {
  if (queue.waiting < limit) return
  throw new Busy('Too many images in progress. Try again shortly.', Math.max(1, Math.ceil(queue.waiting / queue.concurrency)))
}
