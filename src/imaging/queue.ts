/** Runs at most `concurrency` tasks at once; the rest wait in arrival order. */
export class Queue {
  running = 0
  private readonly queued: Array<() => void> = []

  constructor (readonly concurrency: number) {}

  get waiting (): number {
    return this.queued.length
  }

  async run<T> (task: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      await new Promise<void>(resolve => this.queued.push(resolve))
    } else {
      this.running++
    }
    try {
      return await task()
    } finally {
      // Hand the slot straight to the next task, so `running` never over-counts.
      const next = this.queued.shift()
      if (next !== undefined) next()
      else this.running--
    }
  }
}
