// Every answer of the older service that its own tests read, word for word: status, Content-Type,
// body and headers, on local folders and on S3.
import { join } from 'node:path'
import type { FastifyInstance, InjectOptions } from 'fastify'
import t, { type Test } from 'tap'
import { makeImage, multipart, publish, SECRET, testApp, upload } from '../helpers.js'
import { startS3 } from '../s3.js'

const PLAIN = 'text/plain; charset=utf-8'
const ENUM = "Invalid enum value. Expected '-90' | '90' | '180', received"

/** Asks, and checks the answer is `status` with `body` as plain text, and `headers` among its own. */
async function answers (t: Test, app: FastifyInstance, request: InjectOptions, status: number, body: string, headers: Record<string, string> = {}): Promise<void> {
  const response = await app.inject(request)
  const name = `${request.method ?? 'GET'} ${request.url} ${JSON.stringify(request.payload ?? '')}`
  t.same([response.statusCode, response.headers['content-type'], response.body], [status, PLAIN, body], name)
  t.match(response.headers, headers, name)
}

const post = (url: string, payload: object): InjectOptions => ({ method: 'POST', url, payload })

async function walk (t: Test, env: Record<string, string>): Promise<void> {
  const { app } = await testApp(t, env)
  const dir = t.testdir({ 'a.svg': '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"/>' })

  for (const url of ['/publish', '/rotate', '/delete']) {
    await answers(t, app, post(url, { filename: 'x', filenames: 'x' }), 401, 'Missing secret key.')
    await answers(t, app, post(url, { secret: 'wrong' }), 403, 'Bad secret key.')
  }
  await answers(t, app, post('/publish', { secret: SECRET }), 400, 'Bad parameter filename: Required.')
  await answers(t, app, post('/rotate', { secret: SECRET, rotation: 90 }), 400, 'Bad parameter filename: Required.')
  for (const filename of ['photo.jpg', 12, '../1732790000_0123456789.jpg', ['1732790000_0123456789.jpg']]) {
    await answers(t, app, post('/publish', { secret: SECRET, filename }), 400, 'Bad parameter filename: Invalid input.')
  }
  for (const filenames of [undefined, 'notes.txt', ['1732790000_0123456789.jpg', 5], []]) {
    await answers(t, app, post('/delete', { secret: SECRET, filenames }), 400, 'Bad parameter filenames: Invalid input.')
  }
  await answers(t, app, post('/rotate', { secret: SECRET, filename: '1732790000_0123456789.jpg', rotation: '45' }), 400, `Bad parameter rotation: ${ENUM} '45'.`)
  await answers(t, app, post('/rotate', { secret: SECRET, filename: 'x', rotation: 270 }), 400,
    `Bad parameter filename: Invalid input.\nBad parameter rotation: ${ENUM} '270'.`)
  await answers(t, app, post('/rotate', { secret: SECRET, rotation: '45' }), 400, `Bad parameter filename: Required.\nBad parameter rotation: ${ENUM} '45'.`)

  await answers(t, app, { method: 'POST', url: '/upload', ...multipart([{ name: 'note', value: 'x' }]) }, 400, 'Missing parameters. Expected values are { file }')
  await answers(t, app, { method: 'POST', url: '/upload', ...multipart([{ name: 'file', value: 'not an image', filename: 'a.jpg' }]) }, 400, 'Unsupported image format.')
  await answers(t, app, post('/publish', { secret: SECRET, filename: '1475660224_882910455.jpg' }), 404, 'Unknown image.')

  const svg = (await upload(app, join(dir, 'a.svg'))).body.filename
  t.equal((await publish(app, svg)).statusCode, 200)
  await answers(t, app, post('/rotate', { secret: SECRET, filename: svg }), 400, 'SVG images rotation is not supported.')
  const { body: uploaded } = await upload(app, makeImage(dir, 'b.png', '30x10'))
  await answers(t, app, post('/rotate', { secret: SECRET, filename: uploaded.filename }), 404, 'Not found')

  await answers(t, app, { method: 'GET', url: '/nowhere' }, 404, 'Not Found')
  await answers(t, app, { method: 'POST', url: '/nowhere?x=1' }, 404, 'Not Found')
  await answers(t, app, { method: 'PUT', url: '/upload' }, 405, 'Method Not Allowed', { allow: 'POST' })
  await answers(t, app, { method: 'GET', url: '/publish?secret=x' }, 405, 'Method Not Allowed', { allow: 'POST' })
  await answers(t, app, { method: 'DELETE', url: '/delete' }, 405, 'Method Not Allowed', { allow: 'POST' })
  await answers(t, app, { method: 'POST', url: '/ping' }, 405, 'Method Not Allowed', { allow: 'GET, HEAD' })

  const preflight = await app.inject({ method: 'OPTIONS', url: '/upload', headers: { origin: 'https://site.example', 'access-control-request-method': 'POST' } })
  t.equal(preflight.headers['access-control-allow-headers'], 'Origin,Content-Type,Accept,Authorization', 'the older service\'s list, exactly')
  const traced = await app.inject({ ...post('/publish', { secret: SECRET }), headers: { 'x-request-id': 'api-7' } })
  t.same([traced.statusCode, traced.headers['x-request-id']], [400, 'api-7'], 'a server\'s request id is still honoured')
  t.match((await app.inject('/ping')).headers, { 'content-type': PLAIN }, 'successes are as before')
  t.match((await publish(app, uploaded.filename)).body, { success: true })
}

t.test('the older service\'s answers, on local folders', async t => await walk(t, {}))

t.test('the older service\'s answers, on S3', async t => {
  const s3 = await startS3(t)
  await walk(t, s3.env)
})
