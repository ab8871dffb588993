import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { main as clean } from '../../src/cli/clean-incoming.js'
import { main as regenerate } from '../../src/cli/regenerate.js'
import { loadConfig } from '../../src/config/config.js'
import { createStores } from '../../src/storage/create-stores.js'
import { filesIn, makeImage, workFiles } from '../helpers.js'
import { captured } from '../io.js'
import { ended, startCompiled } from '../server-process.js'
import { until } from '../until.js'

const ROOT = join(import.meta.dirname, '..', '..')
const SHOW_CURSOR = '\x1B[?25h'
const HIDE_CURSOR = '\x1B[?25l'

/** Local folders under `dir`, with `count` PNG originals in active and nothing else. */
async function activeImages (dir: string, count: number): Promise<Record<string, string>> {
  const env = { INCOMING_FOLDER: join(dir, 'in'), ACTIVE_FOLDER: join(dir, 'act'), TEMP_FOLDER: join(dir, 'tmp') }
  const stores = await createStores(loadConfig(env))
  const png = makeImage(dir, 'a.png', '600x300')
  for (let i = 0; i < count; i++) await stores.active.put(`1732790000_${String(i).padStart(10, '0')}.png`, png)
  await stores.close()
  return env
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  t.test(`${signal} during the compiled regenerate: the images under way finish, temp is emptied, a summary, exit ${signal === 'SIGINT' ? 130 : 143}`, async t => {
    const dir = t.testdir()
    const env = await activeImages(dir, 30)
    const run = startCompiled('bin/regenerate.js', env, '--missing', '--concurrency', '1')
    // Printed once the signals are handled and before the first image.
    await until(() => run.output().includes('webp variants off'), 'the command to say which variants are off')
    run.child.kill(signal)
    const { code, output } = await ended(run)
    t.equal(code, signal === 'SIGINT' ? 130 : 143, output)
    t.match(output, `${signal} received: stopping after the work under way (again to stop at once).\n`, 'said when the signal came')
    const [, files, images, left] = /Stopped by SIG\w+: Made (\d+) files for (\d+) images; 0 complete; 0 failed; (\d+) left \(run it again to resume\)\./.exec(output) ?? []
    t.ok(Number(left) > 0 && Number(images) + Number(left) === 30, output)
    t.equal(filesIn(join(dir, 'act')).length, 30 + Number(files), 'what it says it made is there')
    t.same(workFiles(env.TEMP_FOLDER), [], 'no work folder left')
  })
}

t.test('Ctrl-C on a real terminal: the bar goes, the cursor comes back, no image fails, exit 130', async t => {
  const dir = t.testdir()
  const env = await activeImages(dir, 30)
  // `script` runs the compiled command on a pseudo-terminal of its own and passes on what is typed.
  const command = `${process.execPath} ${join(ROOT, 'dist', 'bin', 'regenerate.js')} --missing --concurrency 1`
  const terminal = spawn('script', ['-qfec', command, '/dev/null'], { env: { PATH: process.env.PATH, ...env } })
  let screen = ''
  terminal.stdout.on('data', chunk => { screen += String(chunk) })
  const closed = once(terminal, 'close')
  await until(() => screen.includes(HIDE_CURSOR), 'the progress bar to hide the cursor')
  terminal.stdin.write('\x03')
  const [code] = await closed
  t.equal(code, 130, screen)
  t.match(screen, /Stopped by SIGINT: Made \d+ files for \d+ images; 0 complete; 0 failed; \d+ left/, 'the programs under way were out of the Ctrl-C\'s reach')
  t.ok(screen.lastIndexOf(SHOW_CURSOR) > screen.lastIndexOf(HIDE_CURSOR), 'the cursor shown again')
  t.same(workFiles(env.TEMP_FOLDER), [], 'no work folder left')
})

t.test('stopped on a terminal, regenerate shows the cursor again and says it started nothing more', async t => {
  const dir = t.testdir()
  const env = await activeImages(dir, 3)
  const stop = new AbortController()
  const stderr = captured(true)
  // Stopped as the bar first hides the cursor, before any image starts.
  const write = stderr.stream.write.bind(stderr.stream)
  stderr.stream.write = ((chunk: string, ...rest: never[]) => {
    if (String(chunk).includes(HIDE_CURSOR)) stop.abort('SIGINT')
    return write(chunk, ...rest)
  }) as typeof stderr.stream.write
  const stdout = captured()
  await regenerate(['--missing'], env, { stdout: stdout.stream, stderr: stderr.stream, stop: stop.signal })
  t.match(stdout.text(), 'Stopped by SIGINT: Made 0 files for 0 images; 0 complete; 0 failed; 3 left (run it again to resume).')
  t.ok(stderr.text().lastIndexOf(SHOW_CURSOR) > stderr.text().lastIndexOf(HIDE_CURSOR), 'the cursor shown after it was hidden')
  t.same(workFiles(env.TEMP_FOLDER), [])
})

t.test('clean:incoming asked to stop before its first page removes nothing more and says so', async t => {
  const dir = t.testdir()
  const env = { INCOMING_FOLDER: join(dir, 'in'), ACTIVE_FOLDER: join(dir, 'act'), TEMP_FOLDER: join(dir, 'tmp') }
  const stores = await createStores(loadConfig(env))
  await stores.incoming.put('1732790000_0000000001.png', makeImage(dir, 'a.png', '60x30'))
  await stores.close()
  const stdout = captured()
  const stop = new AbortController()
  stop.abort('SIGTERM')
  t.equal(await clean(['--older-than', '0', '--all'], env, { stdout: stdout.stream, stderr: captured().stream, stop: stop.signal }), 0)
  t.equal(stdout.text(), 'Stopped by SIGTERM: Removed 0 files (0 images) older than 0 s from incoming.\n')
  t.ok(existsSync(join(dir, 'in', '1732790000_0000000001.png')))
})
