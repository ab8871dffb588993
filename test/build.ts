// tap runs this once before the test files (`before` in .taprc): the smoke tests start the compiled
// programs in dist/, the other tests load its files (test/compiled-src.mjs), and tap's loader only
// strips types, so the tests and the benchmark are type-checked here. Both at once: no test file
// runs meanwhile, and there are two cores.
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'

const root = join(import.meta.dirname, '..')
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
const run = async (project: string): Promise<void> => {
  const { stdout } = await promisify(execFile)(process.execPath, [tsc, '-p', project]).catch(error => {
    process.stdout.write(error.stdout)
    throw new Error(`tsc -p ${project} failed`)
  })
  process.stdout.write(stdout)
}
await Promise.all([run(root), run(join(root, 'test'))])
