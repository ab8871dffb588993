// tap runs this once before the test files (`before` in .taprc): the smoke tests start the
// compiled programs in dist/, and tap's loader only strips types, so the tests and the
// benchmark are type-checked here.
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..')
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
execFileSync(process.execPath, [tsc, '-p', root], { stdio: 'inherit' })
execFileSync(process.execPath, [tsc, '-p', join(root, 'test')], { stdio: 'inherit' })
