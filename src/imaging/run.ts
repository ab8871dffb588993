import { spawn } from 'node:child_process'
import { createReadStream } from 'node:fs'
import { join } from 'node:path'
import type { Queue } from './queue.js'

// Our ImageMagick policy (only the coders we use; no delegates): found from src/imaging and dist/imaging alike.
const POLICY_DIR = join(import.meta.dirname, '..', '..', 'imagemagick')

/** A command that ran and failed: for our own commands on checked files, a sign of a bad image. */
export class CommandError extends Error {
  constructor (readonly command: string, readonly code: number | null, readonly stderr: string) {
    super(`${command} failed (${code ?? 'killed'}): ${stderr.trim().slice(0, 500)}`)
  }
}

export interface RunOptions {
  /** A file to feed on standard input. */
  stdin?: string
  /** About how many bytes the command will take, for the queue's memory budget. */
  memory?: number
}

export type Runner = (command: string, args: string[], options?: RunOptions) => Promise<string>

/** A folder of its own for one run, and how to remove it. */
export type Scratch = () => Promise<{ dir: string, remove: () => Promise<void> }>

/**
 * Runs commands without a shell, one queue slot each, killed after `timeoutMs`, under our
 * ImageMagick policy. Each run gets its own MAGICK_TMPDIR, removed afterwards, so a killed run
 * leaves no pixel cache behind.
 */
export function createRunner (queue: Queue, timeoutMs: number, scratch: Scratch): Runner {
  return async (command, args, options = {}) => await queue.run(async () => {
    const tmp = await scratch()
    try {
      return await spawnCommand(command, args, { timeout: timeoutMs, env: { ...process.env, MAGICK_TMPDIR: tmp.dir, MAGICK_CONFIGURE_PATH: POLICY_DIR } }, options)
    } finally {
      await tmp.remove()
    }
  }, options.memory)
}

async function spawnCommand (command: string, args: string[], spawnOptions: { timeout: number, env: NodeJS.ProcessEnv }, options: RunOptions): Promise<string> {
  return await new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...spawnOptions, stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] })
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
    child.on('close', code => {
      if (code === 0) resolve(Buffer.concat(stdout).toString())
      else reject(new CommandError(command, code, Buffer.concat(stderr).toString()))
    })
  })
}
