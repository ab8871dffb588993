import { readFileSync } from 'node:fs'

/** The version in package.json, one folder above both src/ and dist/. */
export function serviceVersion (): string {
  return JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version
}
