import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readdir, rm, stat, utimes } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { writeProbe } from './write-probe.js'

// Only our own folders are ever swept, in case TEMP_FOLDER points somewhere shared.
const HOST = hostname().toLowerCase().replace(/[^a-z0-9]/g, '') || 'host'
const OWN_FOLDER = /^proc-([a-z0-9]+)-(\d+)-[0-9a-f]+$/
const OURS = /^(proc|job)-/
// Folders of this very process: a second app in it (or a test's) must not take them for a dead one's.
const LIVE_HERE = new Set<string>()

/** A private folder for one request's or job's files; `remove()` is called on every path out. */
export interface Workspace {
  readonly dir: string
  file (name: string): string
  remove (): Promise<void>
}

/**
 * The temp folder, shared by every process on the host (or the volume): each works in a folder
 * of its own, `proc-<host>-<pid>-<random>`, whose time it refreshes while it lives. At start, a
 * process removes the folders of processes that are gone: of this host, by their pid; of any
 * host, by a time not refreshed for `staleMs`. Never another live process's work.
 */
export class TempFolder {
  readonly dir: string
  private heartbeat?: NodeJS.Timeout

  constructor (readonly folder: string, private readonly staleMs = 60_000) {
    this.dir = join(folder, `proc-${HOST}-${process.pid}-${randomBytes(4).toString('hex')}`)
  }

  async init (): Promise<this> {
    await mkdir(this.folder, { recursive: true })
    const gone = await Promise.all((await readdir(this.folder)).filter(name => OURS.test(name)).map(async name => await this.ownerGone(name) ? name : undefined))
    await Promise.all(gone.map(async name => name === undefined ? undefined : await rm(join(this.folder, name), { recursive: true, force: true })))
    await mkdir(this.dir, { recursive: true })
    LIVE_HERE.add(this.dir)
    this.heartbeat = setInterval(() => {
      const now = new Date()
      utimes(this.dir, now, now).catch(() => {})
    }, this.staleMs / 3)
    this.heartbeat.unref()
    return this
  }

  async workspace (): Promise<Workspace> {
    const dir = await mkdtemp(join(this.dir, 'job-')).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error
      // Removed under us (a cleaner, an operator): made again, not an error for every upload after.
      await mkdir(this.dir, { recursive: true })
      return await mkdtemp(join(this.dir, 'job-'))
    })
    return {
      dir,
      file: name => join(dir, name),
      remove: async () => await rm(dir, { recursive: true, force: true })
    }
  }

  /** Resolves when this process can write work files, making its folder again if it went. */
  async reachable (): Promise<void> {
    await mkdir(this.dir, { recursive: true })
    await writeProbe(this.dir)
  }

  /** Stops the heartbeat and removes this process's folder. */
  async close (): Promise<void> {
    clearInterval(this.heartbeat)
    LIVE_HERE.delete(this.dir)
    await rm(this.dir, { recursive: true, force: true })
  }

  private async ownerGone (name: string): Promise<boolean> {
    if (LIVE_HERE.has(join(this.folder, name))) return false
    const match = OWN_FOLDER.exec(name)
    // Our own pid on another folder: a process before us had it (a container restarted).
    if (match?.[1] === HOST && (Number(match[2]) === process.pid || !alive(Number(match[2])))) return true
    const modified = await stat(join(this.folder, name)).then(s => s.mtimeMs, () => Date.now())
    return Date.now() - modified > this.staleMs
  }
}

/** Whether a process of this host has that pid (EPERM: it does, as another user). */
function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
