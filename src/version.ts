import { readFileSync } from 'node:fs'

/** What runs, for service_info and the API description. */
export interface BuildInfo {
  version: string
  /** The commit the compiled service was built from; `unknown` when run from source or built without git. */
  commit: string
}

/** The version in package.json (one folder above both src/ and dist/), and the commit `npm run build` wrote beside the code. */
export function buildInfo (): BuildInfo {
  const version = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version
  try {
    return { version, commit: JSON.parse(readFileSync(new URL('build-info.json', import.meta.url), 'utf8')).commit }
  } catch {
    return { version, commit: 'unknown' }
  }
}
