import { basename } from 'node:path'
import type { Env, Io } from './io.js'

export type Main = (argv: string[], env: Env, io: Io) => Promise<number>

// What a shell reports for a program a signal stopped: 128 and the signal's number.
const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const
type StopSignal = keyof typeof SIGNAL_EXIT_CODES

/** An error in one line, for an operator's terminal or a container's log: no stack. */
function oneLine (error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const code = (error as { code?: unknown }).code
  return error.message !== '' ? error.message : typeof code === 'string' ? code : error.name
}

/**
 * Runs a command's main() as its entry file does: with the process's arguments, environment
 * and streams. SIGINT or SIGTERM asks it to stop (it says so at once, finishes what it is doing,
 * cleans up and says what it did); the exit code is then the signal's, 130 or 143. A second one
 * ends it at once. A failure it did not expect (the store down) is one line and exit 1.
 */
export async function runCommand (main: Main): Promise<void> {
  const name = basename(process.argv[1] ?? 'command', '.js')
  const stop = new AbortController()
  for (const signal of Object.keys(SIGNAL_EXIT_CODES) as StopSignal[]) {
    process.once(signal, () => {
      stop.abort(signal)
      process.exitCode = SIGNAL_EXIT_CODES[signal]
      // On a terminal the progress bar holds the line: start a new one.
      process.stderr.write(`${process.stderr.isTTY ? '\n' : ''}${signal} received: stopping after the work under way (again to stop at once).\n`)
    })
  }
  const io = { stdout: process.stdout, stderr: process.stderr, stop: stop.signal }
  const code = await main(process.argv.slice(2), process.env, io).catch((error: unknown) => {
    process.stderr.write(`${name}: ${oneLine(error)}\n`)
    return 1
  })
  process.exitCode = stop.signal.aborted ? SIGNAL_EXIT_CODES[stop.signal.reason as StopSignal] : code
}
