import { execFileSync } from 'node:child_process'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { runCompiled } from '../server-process.js'

const ROOT = join(import.meta.dirname, '..', '..')
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))

t.test('each bin entry is a compiled program that runs as it is', async t => {
  t.same(Object.keys(pkg.bin).sort(), ['image-backend-clean-incoming', 'image-backend-regenerate'])
  for (const [name, path] of Object.entries<string>(pkg.bin)) {
    t.equal(readFileSync(join(ROOT, path), 'utf8').split('\n')[0], '#!/usr/bin/env node', name)
    const help = await runCompiled(path.replace(/^dist\//, ''), {}, '--help')
    t.same([help.code, help.output.split(' ')[1]], [0, name], `${name} --help`)
  }
})

t.test('npm run of an operator command runs dist/ as it is: nothing compiled, nothing rewritten', async t => {
  const dir = t.testdir()
  const compiled = ['server.js', 'bin/clean-incoming.js', 'cli/clean-incoming.js'].map(file => join(ROOT, 'dist', file))
  const before = compiled.map(file => statSync(file).mtimeMs)
  const env = { PATH: process.env.PATH, INCOMING_FOLDER: join(dir, 'in'), ACTIVE_FOLDER: join(dir, 'act'), TEMP_FOLDER: join(dir, 'tmp') }
  const output = execFileSync('npm', ['run', '--silent', 'clean:incoming', '--', '--dry-run'], { cwd: ROOT, env, encoding: 'utf8' })
  t.equal(output, 'Would remove 0 files (0 images) older than 7200 s from incoming.\n')
  t.same(compiled.map(file => statSync(file).mtimeMs), before)
  for (const script of ['start', 'clean:incoming', 'regenerate']) t.match(pkg.scripts[script], /^node dist\//, script)
  t.match(pkg.scripts.prepare, 'npm run build', 'compiled once, at install')
  // Only the build writes dist/ (the tests build it too, before their files: a development machine's).
  for (const [name, script] of Object.entries<string>(pkg.scripts)) {
    if (!['build', 'prepare', 'typecheck'].includes(name)) t.notMatch(script, /npm run build|tsc -p tsconfig\.json/, `${name} leaves dist/ alone`)
  }
})
