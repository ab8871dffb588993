interface Waiting {
  memory: number
  start: () => void
}

/**
 * Runs at most `concurrency` tasks at once, and no more than `memoryBudget` bytes of them by
 * their own estimates: a task larger than the budget runs alone. The rest wait in arrival order.
 */
export class Queue {
  running = 0
  /** The estimated bytes of the tasks running now. */
  memory = 0
  private readonly queued: Waiting[] = []

  constructor (readonly concurrency: number, readonly memoryBudget = Infinity) {}

  get waiting (): number {
    return this.queued.length
  }

  async run<T> (task: () => Promise<T>, memory = 0): Promise<T> {
    if (this.queued.length === 0 && this.fits(memory)) this.take(memory)
    else await new Promise<void>(resolve => this.queued.push({ memory, start: resolve }))
    try {
      return await task()
    } finally {
      this.running--
      this.memory -= memory
      this.startWaiting()
    }
  }

  private fits (memory: number): boolean {
    return this.running === 0 || (this.running < this.concurrency && this.memory + memory <= this.memoryBudget)
  }

  private take (memory: number): void {
    this.running++
    this.memory += memory
  }

  private startWaiting (): void {
    while (this.queued.length > 0 && this.fits(this.queued[0].memory)) {
      const next = this.queued.shift() as Waiting
      this.take(next.memory)
      next.start()
    }
  }
}
