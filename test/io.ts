import { Writable } from 'node:stream'
import type { Env, Io } from '../src/cli/io.js'

/** A stream that keeps what is written: as a terminal (answering the cursor calls a bar makes) or as a log file. */
export function captured (isTTY = false): { stream: NodeJS.WriteStream, text: () => string } {
  let text = ''
  const stream = new Writable({ write: (chunk, _encoding, done) => { text += String(chunk); done() } })
  Object.assign(stream, { isTTY, columns: 100, cursorTo: () => true, clearLine: () => true, moveCursor: () => true })
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => text }
}

export type Main = (argv: string[], env: Env, io: Io) => Promise<number>

/** Calls a command's main() in this process, as its entry file does: its exit code and what it wrote. */
export async function runMain (main: Main, env: Env, ...argv: string[]): Promise<{ code: number, stdout: string, stderr: string }> {
  const stdout = captured()
  const stderr = captured()
  const code = await main(argv, env, { stdout: stdout.stream, stderr: stderr.stream })
  return { code, stdout: stdout.text(), stderr: stderr.text() }
}
