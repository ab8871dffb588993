import { setTimeout as sleep } from 'node:timers/promises'

/**
 * Time, for the logic that keeps it (claims, leases, retries): the system's in the service, a
 * fake one in tests, which then run in milliseconds and can stall a "process" at will.
 */
export interface Clock {
  now: () => number
  sleep: (ms: number) => Promise<void>
  /** Calls `task` every `ms` until the returned function is called; it never keeps the process up. */
  every: (ms: number, task: () => Promise<void> | undefined) => () => void
  /** Calls `task` once, `ms` from now, unless the returned function is called first; it never keeps the process up. */
  after: (ms: number, task: () => void) => () => void
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: async ms => await sleep(ms),
  every: (ms, task) => {
    const timer = setInterval(() => { void task() }, ms)
    timer.unref()
    return () => clearInterval(timer)
  },
  after: (ms, task) => {
    const timer = setTimeout(task, ms)
    timer.unref()
    return () => clearTimeout(timer)
  }
}
