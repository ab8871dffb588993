import { Busy } from '../errors.js'
import { Priority, type Lane, type Queue } from '../imaging/queue.js'

/**
 * A person's request holds a ticket from admission until its image work is done. Until its first
 * command starts, the ticket counts as waiting; then its commands go before any that are not yet
 * started, so the work once admitted is not overtaken by newer requests.
 */
export class Ticket implements Lane {
  private running = false
  private finished = false

  constructor (private readonly admission: Admission, private readonly release: () => void) {}

  get priority (): Priority {
    return this.running ? Priority.Continuing : Priority.Starting
  }

  started (): void {
    if (this.running) return
    this.running = true
    this.admission.leave(this)
  }

  done (): void {
    if (this.finished) return
    this.finished = true
    if (!this.running) this.admission.leave(this)
    this.release()
  }
}

/** At most `limit` admitted requests wait for their first command; the next is told to come back (Busy). */
export class Admission {
  private readonly tickets = new Set<Ticket>()
  /** The most that ever waited at once: a test reads it after a burst. */
  peak = 0

  constructor (private readonly queue: Queue, readonly limit: number) {}

  get waiting (): number {
    return this.tickets.size
  }

  /** Busy, with the seconds to wait, when the waiting room is full: before a body is even read. */
  check (): void {
    if (this.tickets.size < this.limit) return
    throw new Busy('Too many images in progress. Try again shortly.', Math.max(1, Math.ceil(this.tickets.size / this.queue.concurrency)), 'queue_full')
  }

  /** A ticket for all the image work of one request, or Busy. */
  admit (): Ticket {
    this.check()
    // Background work waits while the request is in progress.
    const ticket = new Ticket(this, this.queue.hold())
    this.tickets.add(ticket)
    this.peak = Math.max(this.peak, this.tickets.size)
    return ticket
  }

  leave (ticket: Ticket): void {
    this.tickets.delete(ticket)
  }
}

/** Runs `work` with a ticket, given back whatever happens. */
export async function withTicket<T> (admission: Admission, work: (ticket: Ticket) => Promise<T>): Promise<T> {
  const ticket = admission.admit()
  try {
    return await work(ticket)
  } finally {
    ticket.done()
  }
}
