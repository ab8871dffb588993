import type { Env, Io } from './io.js'

export type Main = (argv: string[], env: Env, io: Io) => Promise<number>

// What a shell reports for a program a signal stopped: 128 and the signal's number.
const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const
type StopSignal = keyof typeof SIGNAL_EXIT_CODES

/**
 * Runs a command's main() as its entry file does: with the process's arguments, environment
 * and streams. SIGINT or SIGTERM asks it to stop (it finishes what it is doing, cleans up and
 * says what it did); the exit code is then the signal's, 130 or 143. A second one ends it at once.
 */
export async function runCommand (main: Main): Promise<void> {
  const stop = new AbortController()
  for (const signal of Object.keys(SIGNAL_EXIT_CODES) as StopSignal[]) {
    process.once(signal, () => {
      stop.abort(signal)
      process.exitCode = SIGNAL_EXIT_CODES[signal]
    })
  }
  const code = await main(process.argv.slice(2), process.env, { stdout: process.stdout, stderr: process.stderr, stop: stop.signal })
  process.exitCode = stop.signal.aborted ? SIGNAL_EXIT_CODES[stop.signal.reason as StopSignal] : code
}
