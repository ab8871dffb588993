// Run by `npm run build` after tsc: records the commit compiled into dist/build/build-info.json, for
// service_info. SOURCE_COMMIT (the Docker build's argument) comes first: a build context has no git history.
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'

function gitHead (): string {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: import.meta.dirname, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return 'unknown'
  }
}

const commit = process.env.SOURCE_COMMIT === undefined || process.env.SOURCE_COMMIT === '' ? gitHead() : process.env.SOURCE_COMMIT
writeFileSync(new URL('build-info.json', import.meta.url), `${JSON.stringify({ commit })}\n`)
