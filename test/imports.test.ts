// The rule for src/: a file never imports a file that imports it, directly or through others.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import t from 'tap'

const SRC = join(import.meta.dirname, '..', 'src')

/** Every .ts file under `dir`. */
function sources (dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [])
}

/** The files of src/ that `file` imports, types included, found by the `from '…'` of each import or export. */
function imports (file: string): string[] {
  return readFileSync(file, 'utf8').split('\n')
    .map(line => /^(?:import|export|\}) .*from '(\.[^']+)\.js'/.exec(line)?.[1])
    .filter((path): path is string => path !== undefined)
    .map(path => resolve(dirname(file), `${path}.ts`))
}

t.test('no import circle in src/', async t => {
  const graph = new Map(sources(SRC).map(file => [file, imports(file)]))
  const circles: string[] = []
  const done = new Set<string>()
  const visit = (file: string, path: string[]): void => {
    if (path.includes(file)) {
      circles.push([...path.slice(path.indexOf(file)), file].map(each => relative(SRC, each)).join(' → '))
      return
    }
    if (done.has(file)) return
    for (const next of graph.get(file) ?? []) visit(next, [...path, file])
    done.add(file)
  }
  for (const file of graph.keys()) visit(file, [])
  t.ok(graph.size > 50, `${graph.size} files read`)
  t.ok([...graph.values()].flat().length > 100, 'their imports found')
  t.same(circles, [])
})
