// The races of the README's Guarantees across two replicas on one S3 server, ROUNDS times each, and the leases that let replicas share work.
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { touch } from '../../src/lifecycle/key-lock.js'
import { makeImage, postJson, SECRET, testApp, upload, type TestContext } from '../helpers.js'
import { answers, RACE_ENV, RACES, runRounds, settled, whole, type Instances } from '../races.js'
import { startS3, type TestS3 } from '../s3.js'
import { until } from '../until.js'

const statuses: number[] = []

/** Two instances on one S3 server, and on one TEMP_FOLDER, as two containers on one host and volume. */
async function replicas (t: TestContext, env: Record<string, string> = {}): Promise<Instances & { s3: TestS3 }> {
  const s3 = await startS3(t)
  const first = await testApp(t, { ...s3.env, ...RACE_ENV, ...env })
  const second = await testApp(t, { ...s3.env, ...RACE_ENV, ...env, TEMP_FOLDER: first.config.tempFolder })
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

const takenOver = async (apps: FastifyInstance[]): Promise<number> =>
  (await Promise.all(apps.map(async app => (await app.serviceMetrics.variantJobsTakenOver.get()).values[0]?.value ?? 0))).reduce((a, b) => a + b)

/** A published image whose variants are gone from active, as if the job making them had stopped. */
async function owing (instances: Instances, picture: string): Promise<{ key: string, variants: string[] }> {
  const [app] = instances.apps
  const { body } = await upload(app, picture)
  await postJson(app, '/publish', { secret: SECRET, filename: body.filename })
  await settled(instances)
  const variants = whole(body.filename).filter(name => /\.(webp|avif)$/.test(name))
  for (const variant of variants) await app.storage.active.delete(variant)
  return { key: body.filename, variants }
}

t.test('markers are leases: a live replica keeps its own, a stopped one\'s is finished by the other without a restart', async t => {
  const instances = await replicas(t, { WORK_LEASE: '1000' })
  const { s3, apps: [first, second] } = instances
  const picture = makeImage(t.testdir(), 'a.jpg', '240x160')
  const held = await owing(instances, picture)
  const crashed = await owing(instances, picture)
  const inActive = async (names: string[]): Promise<string[]> => (await s3.keys('active')).filter(name => names.includes(name))

  // The first replica owes `held` and keeps its marker fresh: wait until it has refreshed it past a lease and its slack.
  await first.images.variants.owe(held.key)
  const marker = `pending-${held.key}`
  const modified = async (): Promise<number> => ((await s3.head('incoming', marker)).LastModified as Date).getTime()
  const written = await modified()
  await until(async () => await modified() > written + 2000)

  // A marker no one refreshes, as a replica that died leaves it: a sweep takes it over and makes the variants.
  await touch(first.storage.incoming, `pending-${crashed.key}`)
  await s3.age('incoming', `pending-${crashed.key}`, 60)
  await until(async () => (await inActive(crashed.variants)).length === crashed.variants.length)
  // At least once: a marker taken over twice only repeats work (a refresh under way once wrote a
  // settled marker back, see VariantJobs.settle), and this test is about who takes it, not how often.
  t.ok(await takenOver(instances.apps) >= 1, 'the stale marker was taken over')
  t.same(await inActive(held.variants), [], 'nobody made what the first replica holds')

  // The first replica stops: its marker goes stale, and the second takes it over while running.
  const takenBySecond = await takenOver([second])
  await first.close()
  await until(async () => (await inActive(held.variants)).length === held.variants.length)
  await settled({ ...instances, apps: [second] })
  t.ok(await takenOver([second]) > takenBySecond, 'the second replica took it')
  t.same(await s3.keys('incoming'), [], 'no marker, no claim left')
})

t.test('a claim holds its key while its holder refreshes it, and a lease after the holder dies it is removed', async t => {
  const instances = await replicas(t, { WORK_LEASE: '1000' })
  const { s3, apps: [first, second] } = instances
  const { body } = await upload(first, makeImage(t.testdir(), 'a.jpg', '240x160'))
  const key = body.filename
  await postJson(first, '/publish', { secret: SECRET, filename: key })
  await settled(instances)
  // Another holder, refreshing its claim as a live replica does.
  const claim = `${key}.lock.deadbeef0000`
  await touch(first.storage.incoming, claim)
  const refresh = setInterval(() => { touch(first.storage.incoming, claim).catch(() => {}) }, 300)
  const deleting = postJson(second, '/delete', { secret: SECRET, filenames: key })
  const takenBack = (): number => s3.requests.filter(r => r.method === 'DELETE' && r.path.includes('.lock.') && !r.path.endsWith(claim)).length
  await until(() => takenBack() > 0)
  t.ok((await s3.keys('active')).includes(key), 'the delete waits while the claim is live')
  // The holder dies.
  clearInterval(refresh)
  t.same(await deleting, { statusCode: 200, body: { success: true } })
  const order = s3.requests.map(r => `${r.method} ${r.path}`)
  t.ok(order.indexOf(`DELETE /incoming/${claim}`) < order.indexOf(`DELETE /active/${key}`), 'the stale claim went before the image did')
  t.same(await s3.keys('incoming'), [], 'no claim left')
  t.same(await s3.keys('active'), [])
})

t.test('no call of any race across replicas answered 5xx', async t => {
  t.same(statuses.filter(status => status >= 500), [])
  t.comment(`${statuses.length} calls across two replicas: ${answers(statuses)}`)
})
