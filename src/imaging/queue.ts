/**
 * Whose a command is, which decides when it runs: the next command of a request already under
 * way, then the first command of a request admitted later, then a new upload's variants, then
 * other background work.
 */
export interface Lane {
  readonly priority: Priority
  /** Called when one of the lane's commands gets its slot. */
  started?: () => void
}

export enum Priority { Continuing = 0, Starting = 1, Following = 2, Background = 3 }

/**
 * A new upload's variants: after every person's command that waits, but not held while requests
 * are in progress, so that they are there by the time its publish moves the image, as the older
 * service had them. Like background work, never in the last free slot.
 */
export const FOLLOWING: Lane = { priority: Priority.Following }

/** Other variants (a sweep's, a publish's remake): only while no person's request is in progress. */
export const BACKGROUND: Lane = { priority: Priority.Background }

/** Commands run for no request: at start, and in the operator commands. */
export const DIRECT: Lane = { priority: Priority.Starting }

interface Waiting {
  memory: number
  start: () => void
}

/**
 * Runs at most `concurrency` tasks at once, and no more than `memoryBudget` bytes of them by
 * their own estimates: a task larger than the budget runs alone. Waiting tasks start by priority,
 * then in arrival order. Background tasks start only while no request is in progress (see
 * `hold`); they and following ones never take the last slot, so a person's upload finds one free at once.
 */
export class Queue {
  running = 0
  /** The estimated bytes of the tasks running now. */
  memory = 0
  private runningBackground = 0
  private holds = 0
  private readonly queued: Waiting[][] = [[], [], [], []]

  constructor (readonly concurrency: number, readonly memoryBudget = Infinity) {}

  get waiting (): number {
    return this.queued.reduce((sum, lane) => sum + lane.length, 0)
  }

  async run<T> (task: () => Promise<T>, memory = 0, lane: Lane = DIRECT): Promise<T> {
    const background = lane.priority >= Priority.Following
    if (this.waitingAhead(lane.priority) === 0 && this.fits(memory, lane.priority)) this.take(memory, background)
    else await new Promise<void>(resolve => this.queued[lane.priority].push({ memory, start: resolve }))
    lane.started?.()
    try {
      return await task()
    } finally {
      this.running--
      this.memory -= memory
      if (background) this.runningBackground--
      this.startWaiting()
    }
  }

  /**
   * A request is in progress: background tasks wait until none is. A background task that runs
   * takes one slot for a few seconds, which would stand between a person and the next command
   * of their request; the variants catch up once the requests stop.
   */
  hold (): () => void {
    this.holds++
    let released = false
    return () => {
      if (released) return
      released = true
      this.holds--
      this.startWaiting()
    }
  }

  private waitingAhead (priority: Priority): number {
    return this.queued.slice(0, priority + 1).reduce((sum, lane) => sum + lane.length, 0)
  }

  private fits (memory: number, priority: Priority): boolean {
    if (priority === Priority.Background && this.holds > 0) return false
    if (priority >= Priority.Following && this.runningBackground >= Math.max(1, this.concurrency - 1)) return false
    return this.running === 0 || (this.running < this.concurrency && this.memory + memory <= this.memoryBudget)
  }

  private take (memory: number, background: boolean): void {
    this.running++
    this.memory += memory
    if (background) this.runningBackground++
  }

  private startWaiting (): void {
    for (const [priority, lane] of this.queued.entries()) {
      while (lane.length > 0 && this.fits(lane[0].memory, priority)) {
        const next = lane.shift() as Waiting
        this.take(next.memory, priority >= Priority.Following)
        next.start()
      }
      // A higher lane still waiting keeps the lower ones waiting: it must not be overtaken.
      if (lane.length > 0) return
    }
  }
}
