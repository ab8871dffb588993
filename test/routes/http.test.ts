import { once } from 'node:events'
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import t from 'tap'
import { makeImage, multipart, SECRET, testApp, upload, workFiles } from '../helpers.js'
import { until } from '../until.js'

t.test('GET /ping answers Pong! as text', async t => {
  const { app } = await testApp(t)
  const response = await app.inject({ method: 'GET', url: '/ping' })
  t.equal(response.statusCode, 200)
  t.equal(response.body, 'Pong!')
  t.match(response.headers['content-type'], /^text\/plain/)
})

t.test('CORS preflight for the browser upload, under *', async t => {
  const { app } = await testApp(t)
  const response = await app.inject({
    method: 'OPTIONS',
    url: '/upload',
    headers: { origin: 'https://site.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' }
  })
  t.equal(response.statusCode, 204)
  t.match(response.headers, {
    'access-control-allow-origin': '*',
    'access-control-allow-methods': 'GET,POST',
    'access-control-allow-headers': 'Origin,Content-Type,Accept,Authorization',
    'access-control-max-age': '1728000'
  })
})

t.test('CORS with ALLOWED_ORIGINS: listed origins echoed, others get none', async t => {
  const { app } = await testApp(t, { ALLOWED_ORIGINS: 'https://a.example,https://b.example' })
  const preflight = async (origin: string): Promise<Record<string, unknown>> => (await app.inject({
    method: 'OPTIONS',
    url: '/upload',
    headers: { origin, 'access-control-request-method': 'POST' }
  })).headers
  t.equal((await preflight('https://b.example'))['access-control-allow-origin'], 'https://b.example')
  t.notOk('access-control-allow-origin' in await preflight('https://evil.example'))
  const get = await app.inject({ method: 'GET', url: '/ping', headers: { origin: 'https://a.example' } })
  t.equal(get.headers['access-control-allow-origin'], 'https://a.example')
})

t.test('bad requests get a short 4xx, never a 500', async t => {
  const { app } = await testApp(t)
  const json = { 'content-type': 'application/json' }
  const cases: Array<[string, Record<string, string>, string, number]> = [
    ['/publish', json, '{"secret": "x",', 400],
    ['/publish', json, '', 400],
    ['/publish', { 'content-type': 'application/xml' }, '<secret/>', 415],
    ['/delete', { 'content-type': 'multipart/form-data; boundary=zzz' }, '--zzz\r\nContent-Disposition: form-data; name="secret"\r\n\r\n', 400],
    ['/nowhere', json, '{}', 404]
  ]
  for (const [url, headers, payload, status] of cases) {
    const response = await app.inject({ method: 'POST', url, headers, payload })
    t.equal(response.statusCode, status, `${url} ${payload}`)
    t.equal(response.headers['content-type'], 'text/plain; charset=utf-8')
    t.not(response.body, '', 'a message')
  }
  const withFile = multipart([{ name: 'secret', value: SECRET }, { name: 'file', value: 'x', filename: 'a.jpg' }])
  const fileToSecretRoute = await app.inject({ method: 'POST', url: '/publish', ...withFile })
  t.equal(fileToSecretRoute.statusCode, 413, 'the protected routes take no files')
})

t.test('the service answers over a real socket', async t => {
  const { app } = await testApp(t)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  t.equal(await (await fetch(`http://127.0.0.1:${port}/ping`)).text(), 'Pong!')
  const form = new FormData()
  form.append('file', new Blob([readFileSync(makeImage(t.testdir(), 'a.png', '64x32'))]), 'blob')
  const response = await fetch(`http://127.0.0.1:${port}/upload`, { method: 'POST', body: form })
  t.equal(response.status, 200)
  t.match(await response.json(), { success: true, filename: /^\d{10}_\d{10}\.png$/ })
})

t.test('a 500 says nothing of its cause', async t => {
  const { app, config } = await testApp(t)
  const { body } = await upload(app, makeImage(t.testdir(), 'a.png', '30x20'))
  // The active folder turned into a file: the move fails deep in the file system.
  rmSync(config.activeFolder, { recursive: true })
  writeFileSync(config.activeFolder, 'not a folder')
  const response = await app.inject({ method: 'POST', url: '/publish', payload: { secret: SECRET, filename: body.filename } })
  t.equal(response.statusCode, 500)
  t.same(response.body, 'Internal server error')
})

t.test('a client that hangs up mid-upload leaves no temp file behind', async t => {
  const { app, config } = await testApp(t)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as { port: number }
  const head = '--cut\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
  const socket = connect(port, '127.0.0.1')
  await once(socket, 'connect')
  socket.write(`POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary=cut\r\nContent-Length: 10000000\r\n\r\n${head}`)
  socket.write(Buffer.alloc(200_000, 0xFF))
  // Wait until the upload's work folder exists, then hang up.
  await until(() => workFiles(config.tempFolder).length > 0, 'the upload\'s work folder')
  t.equal(workFiles(config.tempFolder).length, 1, 'the upload was being written')
  socket.destroy()
  await until(() => workFiles(config.tempFolder).length === 0, 'an empty temp folder')
  t.pass('removed after the abort')
  t.same(readdirSync(config.incomingFolder), [])
})

t.test('an SVG that does not parse is refused', async t => {
  const { app, config } = await testApp(t)
  const dir = t.testdir({ 'broken.svg': '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="5"' })
  const { statusCode, body } = await upload(app, `${dir}/broken.svg`, 'broken.svg', 'image/svg+xml')
  t.equal(statusCode, 400)
  t.same(body, 'Unsupported image format.')
  t.same(readdirSync(config.incomingFolder), [])
})
