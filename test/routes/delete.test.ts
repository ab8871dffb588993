import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { deleteImages, filesIn, makeImage, postJson, publish, SECRET, testApp, upload } from '../helpers.js'
import type { FastifyInstance } from 'fastify'

async function publishedImages (app: FastifyInstance, dir: string, count: number): Promise<string[]> {
  const keys: string[] = []
  for (let i = 0; i < count; i++) {
    const { body } = await upload(app, makeImage(dir, `${i}.gif`, `${20 + i}x20`))
    await publish(app, body.filename)
    keys.push(body.filename)
  }
  return keys
}

t.test('delete removes each key and its thumbnails; keys already gone are fine', async t => {
  const { app, config } = await testApp(t)
  const [a, b, c] = await publishedImages(app, t.testdir(), 3)
  t.equal(filesIn(config.activeFolder).length, 12)
  t.same(await deleteImages(app, [a, b, '1475660224_882910455.jpg']),
    { statusCode: 200, body: { success: true } })
  t.same(filesIn(config.activeFolder).filter(name => !name.startsWith(c.split('.')[0])), [])
  t.equal(filesIn(config.activeFolder).length, 4, 'the other image stays')
  t.same(await deleteImages(app, c), { statusCode: 200, body: { success: true } }, 'one key')
  t.same(filesIn(config.activeFolder), [])
  t.same(await deleteImages(app, c), { statusCode: 200, body: { success: true } }, 'again')
})

t.test('a form repeats the field for a list', async t => {
  const { app, config } = await testApp(t)
  const [a, b] = await publishedImages(app, t.testdir(), 2)
  const form = (filenames: string[]): string => [`secret=${SECRET}`, ...filenames.map(name => `filenames=${name}`)].join('&')
  const headers = { 'content-type': 'application/x-www-form-urlencoded' }
  t.equal((await app.inject({ method: 'POST', url: '/delete', headers, payload: form([a]) })).statusCode, 200)
  t.equal(filesIn(config.activeFolder).length, 4)
  t.equal((await app.inject({ method: 'POST', url: '/delete', headers, payload: form([b, a]) })).statusCode, 200)
  t.same(filesIn(config.activeFolder), [])
})

t.test('missing filenames or a non-key among them is 400, and nothing is removed', async t => {
  const { app, config } = await testApp(t)
  const [a] = await publishedImages(app, t.testdir(), 1)
  writeFileSync(join(config.activeFolder, 'notes.txt'), 'not an image')
  t.same(await postJson(app, '/delete', { secret: SECRET }),
    { statusCode: 400, body: 'Bad parameter filenames: Invalid input.' })
  for (const filenames of [[a, '../notes.txt'], 'notes.txt', [], [a, 5], { a }]) {
    const { statusCode, body } = await postJson(app, '/delete', { secret: SECRET, filenames })
    t.equal(statusCode, 400, JSON.stringify(filenames))
    t.same(body, 'Bad parameter filenames: Invalid input.')
  }
  t.equal(filesIn(config.activeFolder).length, 5)
})
