import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

// What the service spawns, each asked for its version: cheap, and outside the imaging queue, so a
// busy service still answers.
const PROGRAMS: Array<[string, string[]]> = [['convert', ['-version']], ['identify', ['-version']], ['rsvg-convert', ['--version']], ['exiftran', ['-h']]]
const TIMEOUT_MS = 5000

/** The programs that did not answer. */
export async function silentPrograms (): Promise<string[]> {
  const answers = await Promise.all(PROGRAMS.map(async ([program, args]) =>
    await promisify(execFile)(program, args, { timeout: TIMEOUT_MS }).then(() => true, () => false)))
  return PROGRAMS.filter((_, i) => !answers[i]).map(([program]) => program)
}
