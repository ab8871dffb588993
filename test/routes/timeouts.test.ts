import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { makeImage, multipart, testApp, workFiles, type TestContext } from '../helpers.js'
import { until } from '../until.js'

/** A listening app and a raw connection to it that has sent an upload's headers and the first half of its body. */
async function halfSentUpload (t: TestContext, env: Record<string, string>): Promise<{ app: FastifyInstance, tempFolder: string, socket: Socket, rest: Buffer, received: () => string }> {
  const { app, config } = await testApp(t, env)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as { port: number }
  const form = multipart([{ name: 'file', value: readFileSync(makeImage(t.testdir(), 'a.jpg', '800x600')), filename: 'a.jpg' }])
  const socket = connect(port, '127.0.0.1')
  await once(socket, 'connect')
  let received = ''
  socket.on('data', chunk => { received += String(chunk) })
  socket.on('error', () => {})
  socket.write(`POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: ${form.headers['content-type']}\r\nContent-Length: ${form.payload.length}\r\n\r\n`)
  const half = Math.floor(form.payload.length / 2)
  socket.write(form.payload.subarray(0, half))
  return { app, tempFolder: config.tempFolder, socket, rest: form.payload.subarray(half), received: () => received }
}

/** When the connection is closed, by either end: a reset too (the client may still be writing when the server cuts it off). */
const closed = async (socket: Socket): Promise<void> => await new Promise(resolve => socket.once('close', () => resolve()))

const errors = async (app: FastifyInstance): Promise<number> => (await app.serviceMetrics.errorCounter.get()).values[0]?.value ?? 0

t.test('a body that stops for BODY_IDLE_TIMEOUT is cut off, its temp work removed, and it is not counted as an error', async t => {
  const { app, tempFolder, socket } = await halfSentUpload(t, { BODY_IDLE_TIMEOUT: '300' })
  await until(() => workFiles(tempFolder).length > 0, 'the upload\'s work folder')
  await closed(socket)
  await until(() => workFiles(tempFolder).length === 0, 'an empty temp folder')
  t.equal(await errors(app), 0)
})

t.test('a client that sends a byte at a time gets 408 after REQUEST_TIMEOUT, though it never stops', async t => {
  const { tempFolder, socket, rest, received } = await halfSentUpload(t, { REQUEST_TIMEOUT: '1000', BODY_IDLE_TIMEOUT: '60000' })
  let at = 0
  // The slow client itself: it keeps sending, one byte every 50 ms, until it is cut off.
  const dribble = setInterval(() => { if (!socket.destroyed && at < rest.length) socket.write(rest.subarray(at, ++at)) }, 50)
  t.teardown(() => clearInterval(dribble))
  await closed(socket)
  t.match(received(), /^HTTP\/1\.1 408 /)
  t.ok(at < rest.length, `cut off with ${rest.length - at} bytes unsent`)
  await until(() => workFiles(tempFolder).length === 0, 'an empty temp folder')
})

t.test('a whole request whose work outlasts BODY_IDLE_TIMEOUT is answered, not cut off', async t => {
  const { app, socket, rest, received } = await halfSentUpload(t, { BODY_IDLE_TIMEOUT: '200', IMAGING_CONCURRENCY: '1' })
  // The one image slot is held until the connection has sat idle past the timeout.
  const idled = once(app.server, 'timeout')
  const held = app.imaging.queue.run(async () => await idled)
  socket.write(rest)
  await held
  await until(() => received().includes('"success":true'), 'the answer to the upload')
  t.match(received(), /^HTTP\/1\.1 200 /)
  socket.destroy()
})
