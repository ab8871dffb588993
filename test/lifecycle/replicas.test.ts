// The races of docs/guarantees.md across two replicas on one S3 server, ROUNDS times each. The
// leases that let replicas share work are tested in milliseconds in test/lifecycle/.
import t from 'tap'
import { makeImage, testApp, type TestContext } from '../helpers.js'
import { answers, RACE_ENV, RACES, runRounds, type Instances } from '../races.js'
import { startS3, type TestS3 } from '../s3.js'

const statuses: number[] = []

/** Two instances on one S3 server, and on one TEMP_FOLDER, as two containers on one host and volume. */
async function replicas (t: TestContext): Promise<Instances & { s3: TestS3 }> {
  const s3 = await startS3(t)
  const first = await testApp(t, { ...s3.env, ...RACE_ENV })
  const second = await testApp(t, { ...s3.env, ...RACE_ENV, TEMP_FOLDER: first.config.tempFolder })
  await Promise.all([first.app.ready(), second.app.ready()])
  return { s3, apps: [first.app, second.app], keys: async store => await s3.keys(store) }
}

for (const race of RACES) {
  t.test(`two replicas on S3: ${race.name}`, async t => {
    const instances = await replicas(t)
    const picture = makeImage(t.testdir(), 'a.jpg', '240x160')
    statuses.push(...await runRounds(t, race, instances, picture))
  })
}

t.test('no call of any race across replicas answered 5xx', async t => {
  t.same(statuses.filter(status => status >= 500), [])
  t.comment(`${statuses.length} calls across two replicas: ${answers(statuses)}`)
})
