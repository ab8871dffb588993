import { once } from 'node:events'
import { existsSync, readdirSync, readFileSync, utimesSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import t from 'tap'
import { makeImage, multipart, workFiles } from './helpers.js'
import { until } from './until.js'
import { freePort, listening, start, startCompiled } from './server-process.js'

t.test('server.ts serves, logs where it stores, sweeps temp, and exits 0 on SIGTERM', async t => {
  const dir = t.testdir({ temp: { 'proc-otherhost-77-ab': { 'job-left': { upload: 'from a replica that died a while ago' } } } })
  const anHourAgo = new Date(Date.now() - 3600_000)
  utimesSync(join(dir, 'temp', 'proc-otherhost-77-ab'), anHourAgo, anHourAgo)
  const port = await freePort()
  const server = start({
    SERVICE_PORT: String(port),
    TEMP_FOLDER: join(dir, 'temp'),
    INCOMING_FOLDER: join(dir, 'in'),
    ACTIVE_FOLDER: join(dir, 'act'),
    API_SECRET_KEY: 'server-test-secret',
    HOST: '127.0.0.1',
    METRICS_PORT: '0'
  })
  const { child, output } = server
  t.teardown(() => child.kill('SIGKILL'))
  await listening(server)
  t.match(output(), join(dir, 'in'), 'logs the incoming folder')
  t.notMatch(output(), 'server-test-secret', 'never logs the secret')
  t.same(workFiles(join(dir, 'temp')), [], 'leftovers swept at start')
  t.equal(await (await fetch(`http://127.0.0.1:${port}/ping`)).text(), 'Pong!')
  const publish = await fetch(`http://127.0.0.1:${port}/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'secret=server-test-secret&filename=1475660224_882910455.jpg'
  })
  t.equal(publish.status, 404)
  t.notMatch(output(), 'server-test-secret', 'not even when it was sent')
  // Each log line is awaited: the answer may come before the line is read from the child.
  await until(() => /"reason":"Unknown image\.","key":"1475660224_882910455\.jpg".*"msg":"request refused"/.test(output()), 'the log line of the refused publish')
  const traced = await fetch(`http://127.0.0.1:${port}/ready?secret=server-test-secret&x=1`, { headers: { 'x-request-id': 'trace-42' } })
  t.equal(traced.headers.get('x-request-id'), 'trace-42', 'the caller\'s request id is echoed')
  await until(() => /"reqId":"trace-42".*"url":"\/ready\?secret=\[Redacted\]&x=1"/.test(output()), 'the log line of /ready with its secret redacted')
  t.notMatch(output(), 'server-test-secret', 'not even in a query string')
  const mine = await fetch(`http://127.0.0.1:${port}/ping`, { headers: { 'x-request-id': 'two words' } })
  t.match(mine.headers.get('x-request-id'), /^[0-9a-f-]{36}$/, 'an id that is not a plain token is replaced')
  child.kill('SIGTERM')
  const [code] = await once(child, 'exit')
  t.equal(code, 0)
  t.match(output(), 'SIGTERM received, closing')
})

t.test('SIGTERM during a background variant job exits 0 only once the job\'s files exist', async t => {
  const dir = t.testdir()
  const port = await freePort()
  const server = start({
    SERVICE_PORT: String(port),
    HOST: '127.0.0.1',
    DISABLE_PROMETHEUS_METRICS: '1',
    TEMP_FOLDER: join(dir, 'temp'),
    INCOMING_FOLDER: join(dir, 'in'),
    ACTIVE_FOLDER: join(dir, 'act'),
    GENERATE_WEBP: '1',
    GENERATE_AVIF: '1'
  })
  const { child } = server
  t.teardown(() => child.kill('SIGKILL'))
  await listening(server)
  const form = new FormData()
  form.append('file', new Blob([readFileSync(makeImage(dir, 'photo.jpg', '3000x2000'))]), 'photo.jpg')
  const { filename } = await (await fetch(`http://127.0.0.1:${port}/upload`, { method: 'POST', body: form })).json()
  child.kill('SIGTERM')
  t.notOk(existsSync(join(dir, 'in', filename.replace('.jpg', 'SI.avif'))), 'the job was still running at SIGTERM')
  const [code] = await once(child, 'exit')
  t.equal(code, 0)
  const stem = filename.replace('.jpg', '')
  for (const name of ['BI', 'MI', 'SI'].flatMap(suffix => [`${stem}${suffix}.webp`, `${stem}${suffix}.avif`])) {
    t.ok(existsSync(join(dir, 'in', name)), name)
  }
  t.notOk(existsSync(join(dir, 'in', `pending-${filename}`)), 'nothing owed')
})

t.test('SIGTERM with slow uploads open exits 0 within the grace period and leaves nothing in temp', async t => {
  const dir = t.testdir()
  const port = await freePort()
  const server = startCompiled('server.js', { SERVICE_PORT: String(port), HOST: '127.0.0.1', DISABLE_PROMETHEUS_METRICS: '1', TEMP_FOLDER: join(dir, 'temp'), INCOMING_FOLDER: join(dir, 'in'), ACTIVE_FOLDER: join(dir, 'act') })
  const { child, output } = server
  t.teardown(() => child.kill('SIGKILL'))
  await listening(server)
  const form = multipart([{ name: 'file', value: readFileSync(makeImage(dir, 'a.jpg', '800x600')), filename: 'a.jpg' }])
  const sockets = await Promise.all([1, 2, 3].map(async () => {
    const socket = connect(port, '127.0.0.1')
    await once(socket, 'connect')
    socket.on('error', () => {})
    // Headers and half the body, then nothing more: three clients on a bad line.
    socket.write(`POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: ${form.headers['content-type']}\r\nContent-Length: ${form.payload.length}\r\n\r\n`)
    socket.write(form.payload.subarray(0, form.payload.length / 2))
    return socket
  }))
  await until(() => workFiles(join(dir, 'temp')).length === 3, 'three work files in temp')
  child.kill('SIGTERM')
  // 'close', not 'exit': the output is whole only once both streams have ended.
  const [code] = await once(child, 'close')
  t.equal(code, 0, output())
  t.same(readdirSync(join(dir, 'temp')), [], 'no upload\'s work and no process folder left')
  t.match(output(), /"level":30,.*"msg":"the client went away"/, 'each cut-off client logged at info')
  t.notMatch(output(), /"level":50/, 'nothing at error level')
  for (const socket of sockets) socket.destroy()
})

t.test('a bad variable stops start-up with a message naming it', async t => {
  const { child, output } = start({ SERVICE_PORT: 'eighty', LOG_LEVEL: 'silent' })
  const [code] = await once(child, 'exit')
  t.equal(code, 1)
  t.match(output(), 'Configuration error: SERVICE_PORT must be a port number')
})
