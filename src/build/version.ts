import { readFileSync } from 'node:fs'

/** What runs, for service_info and the API description. */
export interface BuildInfo {
  version: string
  /** The commit the compiled service was built from; `unknown` when run from source or built without git. */
  commit: string
}

/**
 * The version in package.json (two folders above src/build/ and dist/build/), and the commit
 * `npm run build` wrote beside the code: `code` is the folder this file runs from.
 */
export function buildInfo (code = new URL('.', import.meta.url)): BuildInfo {
  const version = JSON.parse(readFileSync(new URL('../../package.json', code), 'utf8')).version
  try {
    return { version, commit: JSON.parse(readFileSync(new URL('build-info.json', code), 'utf8')).commit }
  } catch {
    return { version, commit: 'unknown' }
  }
}
