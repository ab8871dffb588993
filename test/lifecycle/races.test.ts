// The races of docs/guarantees.md on one instance on local folders, ROUNDS times each; test/lifecycle/replicas.test.ts runs them across two replicas on S3.
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { filesIn, makeImage, postJson, publish, SECRET, testApp, testConfig, upload, workFiles } from '../helpers.js'
import { answers, RACE_ENV, RACES, ROUNDS, runRounds, settled, type Instances } from '../races.js'
import { buildApp } from '../../src/app.js'

const statuses: number[] = []

for (const race of RACES) {
  t.test(race.name, async t => {
    const { app, config } = await testApp(t, RACE_ENV)
    const instances: Instances = { apps: [app], keys: async store => filesIn(store === 'active' ? config.activeFolder : config.incomingFolder) }
    const picture = makeImage(t.testdir(), 'a.jpg', '240x160')
    statuses.push(...await runRounds(t, race, instances, picture))
    t.same(workFiles(config.tempFolder), [], 'no work files left')
  })
}

t.test('two instances on one TEMP_FOLDER: each keeps its own work, every upload succeeds', async t => {
  const first = await testApp(t)
  const second = await testApp(t, { TEMP_FOLDER: first.config.tempFolder })
  const picture = makeImage(t.testdir(), 'a.jpg', '240x160')
  for (let turn = 0; turn < ROUNDS; turn++) {
    // A third instance starting meanwhile sweeps the folder at start: only folders whose owner is gone.
    const uploads = [first.app, second.app].flatMap(app => Array.from({ length: 4 }, async () => (await upload(app, picture)).statusCode))
    const third = await buildApp(testConfig(t, { TEMP_FOLDER: first.config.tempFolder }))
    await third.ready()
    const answered = await Promise.all(uploads)
    await third.close()
    statuses.push(...answered)
    t.same(answered, Array(8).fill(200), `round ${turn}`)
  }
  t.same(workFiles(first.config.tempFolder), [], 'each instance removed its work files')
})

t.test('a temp folder removed under a running instance is made again: uploads go on, /ready stays right', async t => {
  const { app, config } = await testApp(t)
  const picture = makeImage(t.testdir(), 'a.png', '60x40')
  for (let turn = 0; turn < ROUNDS; turn++) {
    rmSync(config.tempFolder, { recursive: true })
    // Every other round, /ready is the first to find the folder gone.
    const calls = [async () => (await upload(app, picture, 'a.png', 'image/png')).statusCode, async () => (await app.inject('/ready')).statusCode]
    if (turn % 2 === 1) calls.reverse()
    const answered = [await calls[0](), await calls[1]()]
    statuses.push(...answered)
    t.same(answered, [200, 200], `round ${turn}`)
  }
})

t.test('only an original can be published or rotated: a thumbnail\'s key is 400, and nothing is made of it', async t => {
  const { app, config } = await testApp(t, RACE_ENV)
  const { body } = await upload(app, makeImage(t.testdir(), 'a.jpg', '240x160'))
  t.equal((await publish(app, body.filename)).statusCode, 200)
  await settled({ apps: [app], keys: async () => filesIn(config.incomingFolder) })
  const before = filesIn(config.activeFolder)
  for (const route of ['/publish', '/rotate']) {
    for (const suffix of ['BI', 'SI']) {
      const thumbnail = body.filename.replace('.jpg', `${suffix}.jpg`)
      t.same(await postJson(app, route, { secret: SECRET, filename: thumbnail }),
        { statusCode: 400, body: 'Bad parameter filename: Invalid input.' }, `${route} ${thumbnail}`)
    }
  }
  await settled({ apps: [app], keys: async () => filesIn(config.incomingFolder) })
  t.same(filesIn(config.activeFolder), before, 'active as it was')
})

t.test('a refused upload leaves nothing behind, variants on', async t => {
  const { app, config } = await testApp(t, RACE_ENV)
  const dir = t.testdir({ 'fake.jpg': 'not an image at all', 'empty.png': '' })
  // A JPEG cut before its scan: its header passes, it has no pixels.
  const whole = readFileSync(makeImage(dir, 'whole.jpg', '400x300'))
  writeFileSync(join(dir, 'cut.jpg'), whole.subarray(0, whole.indexOf(Buffer.from([0xFF, 0xDA]))))
  for (const name of ['fake.jpg', 'empty.png', 'cut.jpg']) {
    const { statusCode } = await upload(app, join(dir, name))
    statuses.push(statusCode)
    t.equal(statusCode, 400, name)
  }
  t.same(filesIn(config.incomingFolder), [], 'no marker, no file')
  t.same(workFiles(config.tempFolder), [])
})

t.test('no call of any race answered 5xx', async t => {
  t.same(statuses.filter(status => status >= 500), [])
  t.comment(`${statuses.length} calls, answers: ${answers(statuses)}`)
})
