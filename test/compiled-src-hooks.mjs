// Tests import the service from src/; where dist/ holds a compilation of that file at least as new
// (test/build.ts makes it before the suite), Node loads the compiled file instead of having tap's
// TypeScript loader transpile it again in every test process, some 80 files each time. Coverage
// still counts for src/: the compiled files carry their source maps. A source newer than its
// compilation (a single file run after an edit, without the build) is loaded from src/ as before.
import { statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const SRC = new URL('../src/', import.meta.url).href
const DIST = new URL('../dist/', import.meta.url).href

const modified = url => statSync(fileURLToPath(url), { throwIfNoEntry: false })?.mtimeMs

export async function resolve (specifier, context, next) {
  const parent = context.parentURL
  if (parent !== undefined && specifier.startsWith('.') && specifier.endsWith('.js')) {
    const target = new URL(specifier, parent).href
    if (target.startsWith(SRC)) {
      const source = `${target.slice(0, -3)}.ts`
      const compiled = `${DIST}${target.slice(SRC.length)}`
      const sourceTime = modified(source)
      const compiledTime = modified(compiled)
      if (sourceTime !== undefined && compiledTime !== undefined && compiledTime >= sourceTime) {
        return { url: compiled, format: 'module', shortCircuit: true }
      }
    }
  }
  return await next(specifier, context)
}
