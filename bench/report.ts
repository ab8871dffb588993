import type { Env } from '../src/cli/io.js'

/** One benchmark run: its scratch folder, the environment the service inherits, and the rows so far. */
export interface Run {
  dir: string
  env: Env
  report: (...row: string[]) => void
}

export const mb = (bytes: number): string => `${Math.round(bytes / 1024 / 1024)} MB`
export const s = (seconds: number): string => `${seconds.toFixed(2)} s`
