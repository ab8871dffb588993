import { once } from 'node:events'
import { existsSync, readFileSync, utimesSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { makeImage, workFiles } from './helpers.js'
import { freePort, listening, start } from './server-process.js'

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
  t.notOk(existsSync(join(dir, 'in', `${filename}.pending`)), 'nothing owed')
})

t.test('a bad variable stops start-up with a message naming it', async t => {
  const { child, output } = start({ SERVICE_PORT: 'eighty', LOG_LEVEL: 'silent' })
  const [code] = await once(child, 'exit')
  t.equal(code, 1)
  t.match(output(), 'Configuration error: SERVICE_PORT must be a port number')
})
