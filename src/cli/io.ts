import { parseArgs, type ParseArgsConfig } from 'node:util'

/** Where a command writes: `process` itself, or a test's buffers. */
export interface Io {
  stdout: NodeJS.WritableStream
  /** Messages and progress: a bar when this is a terminal. */
  stderr: NodeJS.WritableStream & { isTTY?: boolean }
  /** Aborted (its reason the signal's name) when the command is asked to stop: it stops between steps. */
  stop?: AbortSignal
}

/** What a stopped command says first: `Stopped by SIGINT: `. */
export function stoppedBy (stop: AbortSignal | undefined): string {
  return stop?.aborted === true ? `Stopped by ${String(stop.reason)}: ` : ''
}

export type Env = Record<string, string | undefined>

/** Exit code 2: what was wrong, then the usage, on standard error. */
export function usageError (io: Io, usage: string, problem: string): number {
  io.stderr.write(`${problem}\n${usage}\n`)
  return 2
}

/** Node's parseArgs, with an unknown option or a missing value reported as a usage error (undefined), not thrown. */
export function parseCommandLine<T extends ParseArgsConfig> (config: T, usage: string, io: Io): ReturnType<typeof parseArgs<T>> | undefined {
  try {
    return parseArgs(config)
  } catch (error) {
    if (!String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS_')) throw error
    usageError(io, usage, (error as Error).message)
    return undefined
  }
}
