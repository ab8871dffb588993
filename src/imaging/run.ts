import { spawn } from 'node:child_process'
import { createReadStream } from 'node:fs'
import { statfs } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { NoSpace } from '../errors.js'
import type { Lane, Queue } from './queue.js'

/** What an image command was run for: the `operation` label of its duration and failures. */
export type Operation = 'check' | 'convert' | 'thumbnails' | 'variants' | 'orient' | 'rotate' | 'probe'

// Our ImageMagick policy (only the coders we use; no delegates): found from src/imaging and dist/imaging alike.
const POLICY_DIR = join(import.meta.dirname, '..', '..', 'imagemagick')
// Address space any of our programs takes before its first pixel (libraries, threads, the
// policy's own 256 MiB heap before ImageMagick turns to its disk cache), on top of its estimate.
const BASE_ADDRESS_SPACE = 512 * 1024 * 1024
const MIB = 1024 * 1024
// Less free than this where a command writes, and its failure is the disk's, not the image's.
const FULL_DISK_BYTES = MIB

/** A command that ran and failed: for our own commands on checked files, a sign of a bad image. */
export class CommandError extends Error {
  constructor (readonly command: string, readonly code: number | null, readonly stderr: string) {
    super(`${command} failed (${code ?? 'killed'}): ${stderr.trim().slice(0, 500)}`)
  }
}

/** A command stopped from outside (its time limit, the OOM killer, an operator): nothing to say about the image. */
export class CommandInterrupted extends Error {
  override name = 'CommandInterrupted'
  constructor (readonly command: string, readonly cause: string, readonly timedOut = false) {
    super(`${command} was stopped: ${cause}`)
  }
}

export interface RunOptions {
  /** A file to feed on standard input. */
  stdin?: string
  /** About how many bytes the command will take, for the queue's memory budget and its own ceiling. */
  memory?: number
  /** Whose command it is: it decides the order in the queue. */
  lane?: Lane
  /** What it is run for, and on which image format: how its time and failures are counted. */
  operation?: Operation
  format?: string
}

export type Runner = (command: string, args: string[], options?: RunOptions) => Promise<string>

/** How a command ended: `timeout` at its wall or CPU time limit, `failed` with an error or another signal. */
export type Outcome = 'ok' | 'failed' | 'timeout'

/** What the runner tells about the commands it ran. */
export interface RunReport {
  /** A command that succeeded said something on standard error (a damaged file that decoded). */
  warned?: (command: string, warning: string) => void
  /** Every command, once, when it ended: how long it really ran, and how it ended. */
  ended?: (command: string, options: RunOptions, seconds: number, outcome: Outcome) => void
}

/** A folder of its own for one run, and how to remove it. */
export type Scratch = () => Promise<{ dir: string, remove: () => Promise<void> }>

/**
 * Runs commands without a shell, one queue slot each, under our ImageMagick policy. Each has
 * hard limits set by the kernel (prlimit): address space from its memory estimate, and CPU
 * time for its wall time on every core; it is killed after `timeoutMs` too. Each run gets its
 * own MAGICK_TMPDIR, removed afterwards, so a killed run leaves no pixel cache behind.
 */
export function createRunner (queue: Queue, timeoutMs: number, scratch: Scratch, report: RunReport = {}): Runner {
  const cpuSeconds = Math.ceil(timeoutMs / 1000) * availableParallelism()
  return async (command, args, options = {}) => await queue.run(async () => {
    const tmp = await scratch()
    const addressSpace = BASE_ADDRESS_SPACE + 2 * (options.memory ?? 0)
    const launcher = ['prlimit', `--as=${Math.ceil(addressSpace / MIB) * MIB}`, `--cpu=${cpuSeconds}`, '--']
    const started = process.hrtime.bigint()
    const ended = (outcome: Outcome): void => report.ended?.(command, options, Number(process.hrtime.bigint() - started) / 1e9, outcome)
    try {
      const { stdout, stderr } = await spawnCommand(launcher, command, args, { timeout: timeoutMs, env: { ...process.env, MAGICK_TMPDIR: tmp.dir, MAGICK_CONFIGURE_PATH: POLICY_DIR } }, options)
      ended('ok')
      if (stderr.trim() !== '') report.warned?.(command, stderr.trim())
      return stdout
    } catch (error) {
      ended(error instanceof CommandInterrupted && error.timedOut ? 'timeout' : 'failed')
      // ImageMagick says only "unable to write file" (or nothing) when the disk is full: ask the disk.
      if (error instanceof CommandError && await diskFull(tmp.dir)) throw new NoSpace(`${command} could not write: the disk is full`)
      throw error
    } finally {
      await tmp.remove()
    }
  }, options.memory, options.lane)
}

/** Runs `command` through `launcher` (the programs that set its limits, then exec it): what it printed. */
async function spawnCommand (launcher: string[], command: string, args: string[], spawnOptions: { timeout: number, env: NodeJS.ProcessEnv }, options: RunOptions): Promise<{ stdout: string, stderr: string }> {
  return await new Promise((resolve, reject) => {
    // In a process group of its own: Ctrl-C on an operator command's terminal asks the command to
    // stop between images; it does not kill the image programs under way.
    const child = spawn(launcher[0], [...launcher.slice(1), command, ...args], { ...spawnOptions, detached: true, killSignal: 'SIGKILL', stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] })
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk))
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk))
    if (options.stdin !== undefined && child.stdin !== null) {
      const input = createReadStream(options.stdin)
      input.on('error', error => child.kill() && reject(error))
      // The command may exit before reading all of its input; that shows in its exit code, not here.
      child.stdin.on('error', () => {})
      input.pipe(child.stdin)
    }
    child.on('error', reject)
    const started = Date.now()
    child.on('close', (code, signal) => {
      if (code === 0) resolve({ stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString() })
      else if (signal !== null) reject(interruption(command, signal, Date.now() - started, spawnOptions.timeout))
      else reject(new CommandError(command, code, Buffer.concat(stderr).toString()))
    })
  })
}

async function diskFull (dir: string): Promise<boolean> {
  const { bavail, bsize } = await statfs(dir)
  return bavail * bsize < FULL_DISK_BYTES
}

function interruption (command: string, signal: NodeJS.Signals, elapsedMs: number, timeoutMs: number): CommandInterrupted {
  if (signal === 'SIGXCPU') return new CommandInterrupted(command, 'its CPU time limit', true)
  if (signal === 'SIGKILL' && elapsedMs >= timeoutMs) return new CommandInterrupted(command, `its time limit (${timeoutMs / 1000} s)`, true)
  return new CommandInterrupted(command, `signal ${signal}`)
}
