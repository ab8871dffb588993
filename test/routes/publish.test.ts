import { renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { filesIn, makeImage, multipart, postJson, publish, SECRET, testApp, upload } from '../helpers.js'

const family = (key: string): string[] => {
  const [stem, ext] = key.split('.')
  return [key, `${stem}BI.${ext}`, `${stem}MI.${ext}`, `${stem}SI.${ext}`].sort()
}

t.test('publish moves the original and every thumbnail to active; again is fine', async t => {
  const { app, config } = await testApp(t)
  const { body: uploaded } = await upload(app, makeImage(t.testdir(), 'a.jpg', '600x400'))
  const key = uploaded.filename
  const first = await publish(app, key)
  t.same(first, { statusCode: 200, body: { success: true } })
  t.same(filesIn(config.activeFolder), family(key))
  t.same(filesIn(config.incomingFolder), [])
  const again = await publish(app, key)
  t.same(again, { statusCode: 200, body: { success: true } }, 'already in active')
  t.same(filesIn(config.activeFolder), family(key))
})

t.test('a publish cut between two moves is finished by the next one', async t => {
  const { app, config } = await testApp(t)
  const { body: uploaded } = await upload(app, makeImage(t.testdir(), 'a.png', '600x400'))
  const key = uploaded.filename
  // As if the process died after moving the original and one thumbnail.
  renameSync(join(config.incomingFolder, key), join(config.activeFolder, key))
  const bi = key.replace('.png', 'BI.png')
  renameSync(join(config.incomingFolder, bi), join(config.activeFolder, bi))
  const { statusCode } = await publish(app, key)
  t.equal(statusCode, 200)
  t.same(filesIn(config.activeFolder), family(key))
  t.same(filesIn(config.incomingFolder), [])
})

t.test('an original removed half-way through its publish (as an S3 lifecycle rule would): 404, and nothing of it left', async t => {
  const { app, config } = await testApp(t)
  const { body: uploaded } = await upload(app, makeImage(t.testdir(), 'a.png', '600x400'))
  const key: string = uploaded.filename
  const incoming = app.storage.incoming
  const moveAll = incoming.moveAll.bind(incoming)
  // Before the first write to active, the original goes.
  incoming.moveAll = async (keys, target, guard) => await moveAll(keys, target, () => {
    guard?.()
    rmSync(join(config.incomingFolder, key), { force: true })
  })
  t.same(await publish(app, key), { statusCode: 404, body: 'Unknown image.' })
  t.same(filesIn(config.activeFolder), [], 'the thumbnails it moved are taken back')
  t.same(filesIn(config.incomingFolder), [])
})

t.test('an image in neither store is 404; a name that is not a key is 400', async t => {
  const { app } = await testApp(t)
  t.same(await publish(app, '1475660224_882910455.jpg'),
    { statusCode: 404, body: 'Unknown image.' })
  for (const filename of ['../../etc/passwd', 'photo.jpg', '1475660224_882910455.tiff', '', 12]) {
    const { statusCode, body } = await postJson(app, '/publish', { secret: SECRET, filename })
    t.equal(statusCode, 400, String(filename))
    t.same(body, 'Bad parameter filename: Invalid input.')
  }
  t.same(await postJson(app, '/publish', { secret: SECRET }),
    { statusCode: 400, body: 'Bad parameter filename: Required.' })
})

t.test('the protected routes want the secret first: 401 without, 403 when wrong', async t => {
  const { app } = await testApp(t)
  const bodies = { '/publish': { filename: 'x' }, '/delete': { filenames: 'x' }, '/rotate': { filename: 'x' } }
  for (const [url, body] of Object.entries(bodies)) {
    t.same(await postJson(app, url, body), { statusCode: 401, body: 'Missing secret key.' }, url)
    t.same(await postJson(app, url, { ...body, secret: '' }), { statusCode: 401, body: 'Missing secret key.' })
    for (const secret of ['wrong', SECRET + 'x', SECRET.slice(0, -1), [SECRET], { secret: SECRET }, 42]) {
      t.same(await postJson(app, url, { ...body, secret }), { statusCode: 403, body: 'Bad secret key.' }, `${url} ${JSON.stringify(secret)}`)
    }
    const none = await app.inject({ method: 'POST', url })
    t.equal(none.statusCode, 401, `${url} with no body`)
  }
})

t.test('fields come as a form, as JSON or as multipart', async t => {
  const { app, config } = await testApp(t)
  const dir = t.testdir()
  const keys = []
  for (const size of ['30x20', '40x20', '50x20']) keys.push((await upload(app, makeImage(dir, `${size}.png`, size))).body.filename)

  const form = await app.inject({
    method: 'POST',
    url: '/publish',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: `secret=${SECRET}&filename=${keys[0]}`
  })
  t.same([form.statusCode, form.json()], [200, { success: true }], 'form')
  t.same(await publish(app, keys[1]), { statusCode: 200, body: { success: true } }, 'JSON')
  const fields = multipart([{ name: 'secret', value: SECRET }, { name: 'filename', value: keys[2] }])
  const multi = await app.inject({ method: 'POST', url: '/publish', ...fields })
  t.same([multi.statusCode, multi.json()], [200, { success: true }], 'multipart')
  t.same(filesIn(config.incomingFolder), [])
  t.equal(filesIn(config.activeFolder).length, 12)

  const wrong = multipart([{ name: 'secret', value: 'nope' }, { name: 'filename', value: keys[0] }])
  t.equal((await app.inject({ method: 'POST', url: '/publish', ...wrong })).statusCode, 403, 'multipart secret checked')
})
