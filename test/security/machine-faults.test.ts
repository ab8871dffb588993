import { execFileSync } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { CommandError, CommandInterrupted, type Outcome, type RunReport } from '../../src/imaging/run.js'
import { NoSpace } from '../../src/errors.js'
import { COMMAND_LIMIT_MS, filesIn, makeImage, testApp, testRunner, upload, workFiles, type TestContext } from '../helpers.js'
import { processTree } from '../process-tree.js'
import { freePort, listening, startCompiled } from '../server-process.js'
import { until } from '../until.js'

const MIB = 1024 * 1024

t.test('every program runs under kernel limits: address space from its memory estimate, CPU time from its time limit', async t => {
  const run = testRunner()
  const [addressSpaceKib, cpuSeconds] = (await run('sh', ['-c', 'ulimit -v; ulimit -t'], { memory: 100 * MIB })).trim().split('\n').map(Number)
  t.equal(addressSpaceKib, (512 + 2 * 100) * 1024)
  t.equal(cpuSeconds, 120 * availableParallelism())
})

t.test('a render past its ceiling fails at once instead of taking gigabytes', async t => {
  const dir = t.testdir()
  const bomb = join(dir, 'blur.svg')
  writeFileSync(bomb, '<svg xmlns="http://www.w3.org/2000/svg" width="12000" height="12000"><filter id="b"><feGaussianBlur stdDeviation="50"/></filter><rect width="12000" height="12000" fill="red" filter="url(#b)"/></svg>')
  // At its declared size, with no estimate: about 4.5 GB unbounded.
  const error = await testRunner()('rsvg-convert', ['--format=png', '--output', join(dir, 'out.png')], { stdin: bomb }).catch(failure => failure)
  t.ok(error instanceof CommandError, String(error))
})

t.test('a program killed or past its time limit is an interruption, not a bad image; each is reported once, with how it ended', async t => {
  const ended: Array<[string, string | undefined, Outcome]> = []
  const report: RunReport = { ended: (command, { operation }, seconds, outcome) => { if (seconds > 0) ended.push([command, operation, outcome]) } }
  await t.rejects(testRunner(COMMAND_LIMIT_MS, report)('sh', ['-c', 'kill -9 $$']), new CommandInterrupted('sh', 'signal SIGKILL'))
  await t.rejects(testRunner(300, report)('sleep', ['30'], { operation: 'rotate' }), new CommandInterrupted('sleep', 'its time limit (0.3 s)', true))
  await t.rejects(testRunner(COMMAND_LIMIT_MS, report)('sh', ['-c', 'exit 1']), { command: 'sh', code: 1 })
  await testRunner(COMMAND_LIMIT_MS, report)('true', [], { operation: 'check' })
  t.same(ended, [['sh', undefined, 'failed'], ['sleep', 'rotate', 'timeout'], ['sh', undefined, 'failed'], ['true', 'check', 'ok']])
})

t.test('each program runs in a process group of its own, out of reach of a Ctrl-C on the terminal', async t => {
  // The fifth field of /proc/<pid>/stat: the process group.
  const group = (stat: string): string => stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]
  const child = group(await testRunner()('cat', ['/proc/self/stat']))
  t.match(child, /^\d+$/)
  t.not(child, group(readFileSync(`/proc/${process.pid}/stat`, 'utf8')))
})

t.test('a convert killed during an upload: 503 with Retry-After, logged with its cause, nothing stored', async t => {
  const dir = t.testdir()
  const port = await freePort()
  const server = startCompiled('server.js', { SERVICE_PORT: String(port), HOST: '127.0.0.1', DISABLE_PROMETHEUS_METRICS: '1', TEMP_FOLDER: join(dir, 'temp'), INCOMING_FOLDER: join(dir, 'in'), ACTIVE_FOLDER: join(dir, 'act') })
  t.teardown(() => server.child.kill('SIGKILL'))
  await listening(server)
  const form = new FormData()
  form.append('file', new Blob([readFileSync(makeImage(dir, 'photo.png', '4000x3000'))]), 'photo.png')
  const answer = fetch(`http://127.0.0.1:${port}/upload`, { method: 'POST', body: form })
  // As the OOM killer would.
  let convert: number | undefined
  await until(() => (convert = processTree(server.child.pid as number).find(pid => commandOf(pid) === 'convert')) !== undefined, 'convert running')
  process.kill(convert as number, 'SIGKILL')
  const response = await answer
  t.equal(response.status, 503)
  t.equal(response.headers.get('retry-after'), '1')
  t.same(await response.text(), 'Image processing was interrupted. Try again.')
  // The log line may be read from the child after the answer.
  await until(() => /"level":50,.*convert was stopped: signal SIGKILL/.test(server.output()), 'the log of convert killed')
  t.same(filesIn(join(dir, 'in')), [])
  await until(() => workFiles(join(dir, 'temp')).length === 0, 'an empty temp folder')
  server.child.kill('SIGTERM')
  await once(server.child, 'exit')
})

function commandOf (pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim()
  } catch {
    return ''
  }
}

/** A 4 MiB tmpfs, unmounted and removed when the test ends (after its app closes, if made after this). */
function smallDisk (t: TestContext): { dir: string, fill: () => void, free: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'small-disk-'))
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir])
  t.teardown(() => {
    execFileSync('umount', [dir])
    rmSync(dir, { recursive: true })
  })
  const filler = join(dir, 'filler')
  return {
    fill: () => {
      try {
        writeFileSync(filler, Buffer.alloc(8 * MIB))
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error
      }
    },
    free: () => rmSync(filler),
    dir
  }
}

t.test('incoming on a full disk: 507, nothing of the upload left, /ready 503 until space returns', async t => {
  const root = t.testdir()
  const disk = smallDisk(t)
  const { app, config } = await testApp(t, { INCOMING_FOLDER: disk.dir, GENERATE_WEBP: '1' })
  const photo = makeImage(root, 'photo.jpg', '1200x900', { args: ['-seed', '3', '+noise', 'Random'] })
  disk.fill()
  const { statusCode, body } = await upload(app, photo)
  t.same([statusCode, body], [507, 'Not enough storage space. Try again later.'])
  t.same(filesIn(config.incomingFolder), ['filler'], 'no thumbnail, original or marker left')
  await until(async () => (await app.inject('/ready')).statusCode === 503, '/ready 503')
  t.match((await app.inject('/ready')).body, 'incoming storage')
  disk.free()
  await until(async () => (await app.inject('/ready')).statusCode === 200, '/ready 200 again')
  t.equal((await upload(app, photo)).statusCode, 200)
})

t.test('temp on a full disk: 507 for the upload and for ImageMagick\'s own writes, and /ready 503', async t => {
  const root = t.testdir()
  const disk = smallDisk(t)
  const { app, config } = await testApp(t, { TEMP_FOLDER: disk.dir })
  const small = makeImage(root, 'small.png', '600x400')
  disk.fill()
  const { statusCode, body } = await upload(app, small)
  t.same([statusCode, body], [507, 'Not enough storage space. Try again later.'])
  await until(async () => (await app.inject('/ready')).statusCode === 503, '/ready 503')
  t.same(filesIn(config.incomingFolder), [])
  // Past the body: the work file fits, but not the thumbnails ImageMagick writes.
  disk.free()
  writeFileSync(join(disk.dir, 'filler'), Buffer.alloc(4 * MIB - 512 * 1024))
  const noisy = makeImage(root, 'noisy.png', '1000x1000', { args: ['+noise', 'Random'] })
  const workspace = await app.storage.temp.workspace()
  const failure = await app.imaging.thumbnails({ path: noisy, format: 'png' }, '1732790000_0000000001.png', workspace.dir).catch(error => error)
  t.ok(failure instanceof NoSpace, String(failure))
})
