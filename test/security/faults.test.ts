import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import t from 'tap'
import { filesIn, identify, makeImage, testApp, withOrientation, workFiles } from '../helpers.js'
import { peakRss, treeRss } from '../process-tree.js'
import { freePort, listening, startCompiled } from '../server-process.js'
import { until } from '../until.js'

t.test('a SIGKILL in the middle of an upload leaves nothing in the temp folder after the restart', async t => {
  const dir = t.testdir()
  const port = await freePort()
  const env = {
    SERVICE_PORT: String(port),
    TEMP_FOLDER: join(dir, 'temp'),
    INCOMING_FOLDER: join(dir, 'in'),
    ACTIVE_FOLDER: join(dir, 'act'),
    HOST: '127.0.0.1',
    DISABLE_PROMETHEUS_METRICS: '1'
  }
  const first = startCompiled('server.js', env)
  t.teardown(() => first.child.kill('SIGKILL'))
  await listening(first)
  const socket = connect(port, '127.0.0.1')
  await once(socket, 'connect')
  socket.on('error', () => {})
  socket.write('POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary=cut\r\nContent-Length: 10000000\r\n\r\n--cut\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n\r\n')
  socket.write(Buffer.alloc(300_000, 0xFF))
  await until(() => workFiles(join(dir, 'temp')).length > 0, 'the upload\'s work folder')
  first.child.kill('SIGKILL')
  await once(first.child, 'exit')
  t.equal(workFiles(join(dir, 'temp')).length, 1, 'the killed upload left its work folder')

  const second = startCompiled('server.js', env)
  t.teardown(() => second.child.kill('SIGKILL'))
  await listening(second)
  t.same(workFiles(join(dir, 'temp')), [], 'the dead process\'s folder swept at start')
  t.equal(filesIn(join(dir, 'temp')).length, 1, 'only the new process\'s own folder is left')
  t.same(filesIn(join(dir, 'in')), [], 'nothing half-stored')
  second.child.kill('SIGTERM')
  await once(second.child, 'exit')
})

t.test('a burst of 12 uploads: every 200 is whole, keys differ, temp ends empty, memory bounded', async t => {
  const { app, config } = await testApp(t)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as { port: number }
  const dir = t.testdir()
  const photo = readFileSync(withOrientation(makeImage(dir, 'plain.jpg', '3000x2000', { args: ['-seed', '5', '-attenuate', '0.5', '+noise', 'Gaussian'] }), 6, join(dir, 'photo.jpg')))
  const before = treeRss(process.pid)
  const peak = peakRss(process.pid)
  const responses = await Promise.all(Array.from({ length: 12 }, async () => {
    const form = new FormData()
    form.append('file', new Blob([photo]), 'photo.jpg')
    const response = await fetch(`http://127.0.0.1:${port}/upload`, { method: 'POST', body: form })
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body: await response.json() as { filename: string } }
  }))
  const grewMb = (peak() - before) / 1024 / 1024
  const ok = responses.filter(response => response.status === 200)
  t.ok(ok.length > 0, `${ok.length} of 12 stored`)
  for (const refused of responses.filter(response => response.status !== 200)) t.match(refused, { status: 503, retryAfter: /^\d+$/ })
  const keys = ok.map(response => response.body.filename)
  t.equal(new Set(keys).size, keys.length, 'every key differs')
  for (const key of keys) {
    const stem = key.replace('.jpg', '')
    t.match(identify(join(config.incomingFolder, key)), { format: 'JPEG', width: 3000, height: 2000 }, key)
    t.match(identify(join(config.incomingFolder, `${stem}BI.jpg`)), { format: 'JPEG', width: 1000, height: 1500 })
    t.match(identify(join(config.incomingFolder, `${stem}MI.jpg`)), { width: 267, height: 400 })
    t.match(identify(join(config.incomingFolder, `${stem}SI.jpg`)), { width: 200, height: 200 })
  }
  t.equal(filesIn(config.incomingFolder).length, keys.length * 4, 'nothing else in incoming')
  t.same(workFiles(config.tempFolder), [], 'temp folder empty')
  t.ok(grewMb < 500, `memory grew ${grewMb.toFixed(0)} MB`)
})
