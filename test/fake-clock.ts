import type { Clock } from '../src/lifecycle/clock.js'

interface Timer { due: number, every?: number, run: () => Promise<void> | undefined }

/**
 * A clock that moves only when told. `advance` runs what falls due on the way, as a live process
 * would; `stall` moves time with nothing run, as a process whose loop was frozen (a paused VM).
 */
export class FakeClock implements Clock {
  private time = 1_700_000_000_000
  private readonly timers = new Set<Timer>()

  now (): number {
    return this.time
  }

  async sleep (ms: number): Promise<void> {
    await new Promise<void>(resolve => this.timers.add({ due: this.time + ms, run: () => { resolve() } }))
  }

  every (ms: number, task: () => Promise<void> | undefined): () => void {
    const timer = { due: this.time + ms, every: ms, run: task }
    this.timers.add(timer)
    return () => this.timers.delete(timer)
  }

  after (ms: number, task: () => void): () => void {
    const timer = { due: this.time + ms, run: () => { task(); return undefined } }
    this.timers.add(timer)
    return () => this.timers.delete(timer)
  }

  stall (ms: number): void {
    this.time += ms
  }

  /** Moves time by `ms`, running each timer as it falls due, in order, and waiting for what each started. */
  async advance (ms: number): Promise<void> {
    const end = this.time + ms
    for (let next = this.nextDue(end); next !== undefined; next = this.nextDue(end)) {
      this.time = Math.max(this.time, next.due)
      if (next.every === undefined) this.timers.delete(next)
      else next.due += next.every
      await next.run()
    }
    this.time = end
  }

  private nextDue (end: number): Timer | undefined {
    let first: Timer | undefined
    for (const timer of this.timers) if (timer.due <= end && (first === undefined || timer.due < first.due)) first = timer
    return first
  }
}
