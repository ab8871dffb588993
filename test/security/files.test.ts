import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { filesIn, identify, makeImage, testApp, testRunner, upload, workFiles } from '../helpers.js'

const MVG = 'push graphic-context\nviewbox 0 0 10 10\nfill red\nrectangle 0,0 5,5\npop graphic-context\n'
const msl = (target: string): string => `<?xml version="1.0"?>\n<image>\n<read filename="xc:red" size="8x8"/>\n<write filename="${target}"/>\n</image>\n`

t.test('every command runs under our policy: coders we do not use are refused', async t => {
  const dir = t.testdir({ 'payload.mvg': MVG, 'payload.msl': msl('/tmp/never.png'), 'words.txt': 'hello' })
  const run = testRunner()
  execFileSync('convert', [`mvg:${dir}/payload.mvg`, `png:${dir}/unguarded.png`])
  t.match(identify(`${dir}/unguarded.png`), { format: 'PNG', width: 10 }, 'without the policy ImageMagick draws the MVG')
  for (const input of [`mvg:${dir}/payload.mvg`, `msl:${dir}/payload.msl`, `text:${dir}/words.txt`, 'http://127.0.0.1:9/x.png', 'ftp://127.0.0.1:9/x.png', `ephemeral:${dir}/words.txt`, `@${dir}/words.txt`]) {
    const refused = await run('convert', [input, `png:${dir}/out.png`]).catch((error: unknown) => error)
    t.match(refused, { stderr: /not allowed by the security policy/ }, input)
  }
  t.notOk(existsSync(`${dir}/out.png`))
  t.ok(existsSync(`${dir}/words.txt`), 'ephemeral: did not delete its input')
  t.match(await run('identify', ['-format', '%m', `jpg:${makeImage(dir, 'a.jpg', '8x8')}`]), /^JPE?G$/, 'our own coders still work')
})

t.test('MVG and MSL payloads named .jpg get 400, and nothing they ask for happens', async t => {
  const { app, config } = await testApp(t)
  const pwned = join(t.testdir(), 'pwned.png')
  const dir = t.testdir({ 'draw.jpg': MVG, 'script.jpg': msl(pwned) })
  for (const name of ['draw.jpg', 'script.jpg']) {
    const { statusCode, body } = await upload(app, join(dir, name), name, 'image/jpeg')
    t.equal(statusCode, 400, name)
    t.same(body, 'Unsupported image format.')
  }
  t.notOk(existsSync(pwned))
  t.same(filesIn(config.incomingFolder), [])
  t.same(workFiles(config.tempFolder), [])
})

t.test('the client\'s file name plays no part in any path', async t => {
  const { app, config } = await testApp(t)
  const outside = mkdtempSync(join(tmpdir(), 'outside-'))
  t.teardown(() => rmSync(outside, { recursive: true, force: true }))
  const png = makeImage(t.testdir(), 'a.png', '20x10')
  for (const name of [`../../../../../..${outside}/escape.png`, `${outside}/absolute.png`, 'a\u0000b.png', '..']) {
    const { statusCode, body } = await upload(app, png, name, 'image/png')
    t.equal(statusCode, 200, JSON.stringify(name))
    t.match(body.filename, /^\d{10}_\d{10}\.png$/)
  }
  t.same(filesIn(outside), [])
  t.equal(filesIn(config.incomingFolder).length, 4 * 4, 'four images, each with three thumbnails')
  t.same(workFiles(config.tempFolder), [])
})
