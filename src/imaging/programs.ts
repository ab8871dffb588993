import { execFile } from 'node:child_process'
import { access } from 'node:fs/promises'
import { promisify } from 'node:util'
import { SRGB_PROFILE } from './colour.js'

// What the service spawns, each asked for its version: cheap, and outside the imaging queue, so a
// busy service still answers.
const PROGRAMS: Array<[string, string[]]> = [['convert', ['-version']], ['identify', ['-version']], ['rsvg-convert', ['--version']], ['exiftran', ['-h']], ['heif-convert', ['--help']]]
const TIMEOUT_MS = 5000

/** The programs that did not answer, and the sRGB profile when it is missing. */
export async function silentPrograms (): Promise<string[]> {
  const answers = await Promise.all(PROGRAMS.map(async ([program, args]) =>
    await promisify(execFile)(program, args, { timeout: TIMEOUT_MS }).then(() => true, () => false)))
  const profile = await access(SRGB_PROFILE).then(() => [], () => [`sRGB profile (${SRGB_PROFILE})`])
  return [...PROGRAMS.filter((_, i) => !answers[i]).map(([program]) => program), ...profile]
}
