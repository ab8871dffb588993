import { mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { testApp, type TestContext } from '../helpers.js'
import { startS3 } from '../s3.js'
import { until } from '../until.js'

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
  t.same(response.body, 'Not ready: active storage did not answer.')
  t.equal((await app.inject('/ping')).statusCode, 200)
})

/** A PATH with only `programs` of those the service runs, for the rest of the test. */
function pathWith (t: TestContext, programs: string[]): void {
  const bin = mkdtempSync(join(tmpdir(), 'bin-'))
  for (const program of programs) symlinkSync(`/usr/bin/${program}`, join(bin, program))
  const path = process.env.PATH
  process.env.PATH = bin
  t.teardown(() => {
    process.env.PATH = path
    rmSync(bin, { recursive: true, force: true })
  })
}

t.test('/ready: 503 naming a program that is missing at start; checked again until it is back', async t => {
  const path = process.env.PATH
  pathWith(t, ['convert', 'identify', 'exiftran', 'heif-convert'])
  const { app } = await testApp(t)
  const response = await app.inject('/ready')
  t.equal(response.statusCode, 503)
  t.same(response.body, 'Not ready: rsvg-convert did not answer.')
  process.env.PATH = path
  await until(async () => (await app.inject('/ready')).statusCode === 200, '/ready 200')
})

t.test('/ready: programs that answered at start are not run again, however often it is asked', async t => {
  const { app } = await testApp(t)
  t.equal((await app.inject('/ready')).statusCode, 200)
  pathWith(t, [])
  const flood = await Promise.all(Array.from({ length: 200 }, async () => await app.inject('/ready')))
  t.same([...new Set(flood.map(answer => answer.statusCode))], [200])
})

t.test('/ready on S3: 503 while the server is down, 200 once it is back', async t => {
  const s3 = await startS3(t)
  const { app } = await testApp(t, s3.env)
  t.equal((await app.inject('/ready')).statusCode, 200)
  await s3.stop()
  // Checks are kept for two seconds: the answer changes once they are made again.
  let down = await app.inject('/ready')
  await until(async () => (down = await app.inject('/ready')).statusCode === 503, '/ready 503')
  t.equal(down.body, 'Not ready: incoming storage, active storage did not answer.')
  await s3.start()
  await until(async () => (await app.inject('/ready')).statusCode === 200, '/ready 200 again')
})
