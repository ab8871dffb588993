import t from 'tap'
import { makeImage, multipart, SECRET, testApp, upload } from '../helpers.js'
import { answerBeforeBody } from '../unsent-body.js'

const JSON_TYPE = { 'content-type': 'application/json' }
const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

t.test('malformed bodies, fields of the wrong type and unknown content types get 4xx, never a 500', async t => {
  const { app } = await testApp(t)
  const { body } = await upload(app, makeImage(t.testdir(), 'a.png', '20x10'))
  const key = body.filename as string
  const cases: Array<[string, Record<string, string>, string, number]> = [
    ['/publish', JSON_TYPE, '{"secret": ', 400],
    ['/publish', JSON_TYPE, '{"secret": "x"}}', 400],
    ['/publish', JSON_TYPE, `{"secret": "${SECRET}", "filename": "${key}", "__proto__": {"admin": true}}`, 400],
    ['/publish', JSON_TYPE, 'null', 401],
    ['/publish', JSON_TYPE, '[1, 2]', 401],
    ['/publish', JSON_TYPE, '"secret"', 401],
    ['/publish', JSON_TYPE, `{"secret": ["${SECRET}"], "filename": "${key}"}`, 403],
    ['/publish', JSON_TYPE, `{"secret": {"$ne": ""}, "filename": "${key}"}`, 403],
    ['/publish', JSON_TYPE, `{"secret": 12345, "filename": "${key}"}`, 403],
    ['/publish', JSON_TYPE, `{"secret": "${SECRET}", "filename": ["${key}"]}`, 400],
    ['/publish', JSON_TYPE, `{"secret": "${SECRET}", "filename": {"$gt": ""}}`, 400],
    ['/publish', JSON_TYPE, `{"secret": "${SECRET}", "filename": 1732790000}`, 400],
    ['/publish', JSON_TYPE, `{"secret": "${SECRET}", "filename": "../../etc/passwd"}`, 400],
    ['/rotate', JSON_TYPE, `{"secret": "${SECRET}", "filename": "${key}", "rotation": [90]}`, 400],
    ['/rotate', JSON_TYPE, `{"secret": "${SECRET}", "filename": "${key}", "rotation": "90; rm -rf /"}`, 400],
    ['/delete', JSON_TYPE, `{"secret": "${SECRET}", "filenames": [["${key}"]]}`, 400],
    ['/delete', JSON_TYPE, `{"secret": "${SECRET}", "filenames": []}`, 400],
    ['/publish', FORM, `secret=${SECRET}&secret=${SECRET}&filename=${key}`, 403],
    ['/publish', FORM, `secret=${SECRET}&filename=${key}&filename=${key}`, 400],
    ['/publish', FORM, `secret=%E0%A4%A&filename=%zz${key}`, 403],
    ['/publish', FORM, `secret=${SECRET}&filename=%00${key}`, 400],
    ['/publish', { 'content-type': 'text/plain' }, `secret=${SECRET}`, 415],
    ['/publish', { 'content-type': 'application/xml' }, '<secret/>', 415],
    ['/publish', { 'content-type': 'image/jpeg' }, 'xx', 415],
    ['/upload', { 'content-type': 'text/xml' }, '<file/>', 415],
    ['/upload', { 'content-type': 'multipart/form-data' }, 'no boundary', 400],
    ['/upload', { 'content-type': 'multipart/form-data; boundary=x' }, '--x\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nunterminated', 400]
  ]
  for (const [url, headers, payload, status] of cases) {
    const response = await app.inject({ method: 'POST', url, headers, payload })
    t.equal(response.statusCode, status, `${url} ${headers['content-type']} ${payload}`)
    t.equal(response.headers['content-type'], 'text/plain; charset=utf-8')
    t.not(response.body, '', 'a message')
  }
  t.equal((await app.inject({ method: 'POST', url: '/publish', payload: { secret: SECRET, filename: key } })).statusCode, 200, 'the image is still there to publish')
})

t.test('a multipart body with more fields than the routes take is refused', async t => {
  const { app } = await testApp(t)
  const fields = Array.from({ length: 300 }, (_, i) => ({ name: 'filenames', value: `1732790000_${String(i).padStart(10, '0')}.jpg` }))
  const protectedRoute = await app.inject({ method: 'POST', url: '/delete', ...multipart([{ name: 'secret', value: SECRET }, ...fields]) })
  t.equal(protectedRoute.statusCode, 413)
  const uploadRoute = await app.inject({ method: 'POST', url: '/upload', ...multipart(fields) })
  t.ok(uploadRoute.statusCode >= 400 && uploadRoute.statusCode < 500, `upload: ${uploadRoute.statusCode}`)
})

t.test('a 50 MB multipart body announced to /publish gets 413 before it is read, like JSON and forms', async t => {
  const { app } = await testApp(t)
  const answer = await answerBeforeBody(app, 'POST /publish HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 52428800\r\n\r\n',
    '--b\r\nContent-Disposition: form-data; name="secret"\r\n\r\n')
  t.match(answer, /^HTTP\/1\.1 413 /)
  const sent = await app.inject({ method: 'POST', url: '/publish', ...multipart([{ name: 'secret', value: SECRET }, { name: 'filename', value: 'x'.repeat(70 * 1024) }]) })
  t.equal(sent.statusCode, 413, 'and one past the limit sent whole')
})
