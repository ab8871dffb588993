import { execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { listening } from './server-process.js'

const ROOT = join(import.meta.dirname, '..')
const README = readFileSync(join(ROOT, 'README.md'), 'utf8')

/** The first `sh` block after `heading` in the README, as a reader would paste it. */
function block (heading: string): string {
  const after = README.slice(README.indexOf(`\n${heading}\n`))
  return /```sh\n([\s\S]*?)```/.exec(after)?.[1] ?? ''
}

/** Whether nothing listens on `port` on loopback: the first run's addresses are fixed. */
async function free (port: number): Promise<boolean> {
  const server = createServer()
  server.listen(port, '127.0.0.1')
  const [event] = await Promise.race([once(server, 'listening').then(() => ['listening']), once(server, 'error').then(() => ['error'])])
  server.close()
  return event === 'listening'
}

t.test('the README\'s first run, pasted into a shell beside `npm start`, runs end to end', async t => {
  const script = block('### First run')
  t.match(script, 'curl -s -F file=@sample.jpg http://localhost:8080/upload', 'the block is found')
  for (const port of [8080, 8081]) t.ok(await free(port), `port ${port} is free for the service the README starts`)
  const dir = t.testdir()
  // As `npm start` in a clone: the compiled service, its defaults, data/ under the folder it runs in
  // (tests listen on loopback only, and keep their temp files to themselves).
  const server = spawn(process.execPath, [join(ROOT, 'dist', 'server.js')], { cwd: dir, env: { PATH: process.env.PATH, HOST: '127.0.0.1', TEMP_FOLDER: join(dir, 'temp') } })
  let output = ''
  server.stdout.on('data', chunk => { output += String(chunk) })
  server.stderr.on('data', chunk => { output += String(chunk) })
  t.teardown(() => { server.kill('SIGKILL') })
  await listening({ child: server, output: () => output })

  const { stdout } = await promisify(execFile)('bash', ['-e', '-c', script], { cwd: dir, env: { PATH: process.env.PATH } })
  const lines = stdout.split('\n')
  const [first] = lines
  t.match(first, /^\d{10}_\d{10}\.jpg$/, 'the key, kept in KEY')
  const stem = first.slice(0, -'.jpg'.length)
  t.same(lines.slice(1, 5), [`${stem}.jpg`, `${stem}BI.jpg`, `${stem}MI.jpg`, `${stem}SI.jpg`].sort(), 'incoming holds the original and its thumbnails')
  t.equal(lines[5], '{"success":true}', 'published')
  t.same(lines.slice(6, 10), [`${stem}.jpg`, `${stem}BI.jpg`, `${stem}MI.jpg`, `${stem}SI.jpg`].sort(), 'now in active')
  t.match(lines[10], /^data\/active\/\d{10}_\d{10}\.jpg JPEG 800x1200 /, 'rotated, under a new key')
  t.notMatch(lines[10], stem)
  t.equal(lines[11], '{"success":true}', 'deleted')
  t.equal(lines[12], '/ping /ready /upload /publish /delete /rotate', 'active is empty; the API described')
  t.same(lines.slice(13).filter(line => line !== ''), ['uploaded_images{format="jpg"} 1', 'published_images 1', 'deleted_images 1', 'rotated_images 1'])
  // The compiled service says which commit `npm run build` compiled.
  const { commit } = JSON.parse(readFileSync(join(ROOT, 'dist', 'build', 'build-info.json'), 'utf8'))
  t.match(commit, /^([\da-f]{40}|unknown)$/)
  t.match(await (await fetch('http://127.0.0.1:8081/metrics')).text(), `service_info{version="0.1.0",commit="${commit}",node_version="${process.version}",env="development"} 1`)
  server.kill('SIGTERM')
  t.equal((await once(server, 'exit'))[0], 0, 'and the service stops cleanly')
})
