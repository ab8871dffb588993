import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { connect } from 'node:net'
import t from 'tap'
import { makeImage, multipart, testApp } from './helpers.js'
import { sample } from './prometheus.js'
import { until } from './until.js'

t.test('a request that arrives while closing gets 503 and Connection: close; the one in flight finishes', async t => {
  const { app } = await testApp(t)
  // The upload is held at its first hook until closing has begun: it is in flight then, whatever the machine's speed.
  let uploadArrived = false
  let closing = false
  app.addHook('preClose', async () => { closing = true })
  app.addHook('onRequest', async request => {
    if (request.url !== '/upload') return
    uploadArrived = true
    await until(() => closing, 'the service to begin closing')
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as { port: number }
  const form = multipart([{ name: 'file', value: readFileSync(makeImage(t.testdir(), 'big.jpg', '4000x3000')), filename: 'big.jpg' }])
  const socket = connect(port, '127.0.0.1')
  await once(socket, 'connect')
  // Listened for now: the server may close the connection before app.close() resolves.
  const socketClosed = once(socket, 'close')
  let received = ''
  socket.on('data', chunk => { received += String(chunk) })
  // Two requests on one connection: the upload is in flight when closing starts, the ping comes after.
  socket.write(`POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: ${form.headers['content-type']}\r\nContent-Length: ${form.payload.length}\r\n\r\n`)
  socket.write(form.payload)
  await until(() => uploadArrived, 'the upload to arrive')
  const closed = app.close()
  await until(() => closing, 'the service to begin closing')
  socket.write('GET /ping HTTP/1.1\r\nHost: x\r\n\r\n')
  await closed
  await socketClosed
  const [first, second] = received.split(/(?=HTTP\/1\.1 )/)
  t.match(first, /^HTTP\/1\.1 200 /)
  t.match(first, /"success":true/)
  t.match(second, /^HTTP\/1\.1 503 /)
  t.match(second, /connection: close/i)
  t.match(second, /content-type: text\/plain; charset=utf-8\r\n/i)
  t.match(second, /\r\n\r\nServer is shutting down$/)
  t.equal(await sample(app, 'rejected_requests_total{route="/ping",reason="shutting_down"}'), 1, 'counted')
})
