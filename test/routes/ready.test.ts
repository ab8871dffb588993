import { mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { testApp } from '../helpers.js'
import { startS3 } from '../s3.js'

t.test('/ready: 200 when the programs answer and both stores are there', async t => {
  const { app } = await testApp(t)
  const response = await app.inject('/ready')
  t.equal(response.statusCode, 200)
  t.same(response.json(), { success: true })
})

t.test('/ready: 503 naming a store that is gone, while /ping still answers', async t => {
  const { app, config } = await testApp(t)
  rmSync(config.activeFolder, { recursive: true })
  const response = await app.inject('/ready')
  t.equal(response.statusCode, 503)
  t.same(response.json(), { success: false, message: 'Not ready: active storage did not answer.' })
  t.equal((await app.inject('/ping')).statusCode, 200)
})

t.test('/ready: 503 naming a program that is missing', async t => {
  const { app } = await testApp(t)
  // A PATH where rsvg-convert is not.
  const bin = mkdtempSync(join(tmpdir(), 'bin-'))
  for (const program of ['convert', 'identify', 'exiftran']) symlinkSync(`/usr/bin/${program}`, join(bin, program))
  const path = process.env.PATH
  process.env.PATH = bin
  t.teardown(() => { process.env.PATH = path })
  const response = await app.inject('/ready')
  t.equal(response.statusCode, 503)
  t.same(response.json(), { success: false, message: 'Not ready: rsvg-convert did not answer.' })
})

t.test('/ready on S3: 503 while the server is down, 200 once it is back', async t => {
  const s3 = await startS3(t)
  const { app } = await testApp(t, s3.env)
  t.equal((await app.inject('/ready')).statusCode, 200)
  await s3.stop()
  const down = await app.inject('/ready')
  t.equal(down.statusCode, 503)
  t.equal(down.json().message, 'Not ready: incoming storage, active storage did not answer.')
  await s3.start()
  t.equal((await app.inject('/ready')).statusCode, 200)
})
