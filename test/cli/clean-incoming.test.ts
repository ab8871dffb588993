import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { main } from '../../src/cli/clean-incoming.js'
import { loadConfig } from '../../src/config/config.js'
import { createStores } from '../../src/storage/create-stores.js'
import type { Stores } from '../../src/storage/stores.js'
import { KeyLocks } from '../../src/lifecycle/key-lock.js'
import { makeImage, publish, testApp, upload } from '../helpers.js'
import { runMain } from '../io.js'
import { startS3 } from '../s3.js'
import { freePort, runCompiled } from '../server-process.js'
import { ageLocalFile } from '../storage/contract.js'

const clean = async (env: Record<string, string>, ...args: string[]): Promise<{ code: number, stdout: string, stderr: string }> => await runMain(main, env, ...args)

const OLD = ['1732790000_0000000001.jpg', '1732790000_0000000001BI.jpg', '1732790000_0000000001SI.jpg', '1732790000_2.png']
const NEW = ['1732790000_0000000003.gif', '1732790000_0000000003MI.gif']
const PARTIAL = '.partial-0b6f1c1e-6d0f-4c57-9d3e-2a1b3c4d5e6f'
// Old files are a day old and new ones a few seconds: an hour's cutoff is far from both, however slow the machine.
const DAY = 24 * 3600

async function fill (dir: string, stores: Stores): Promise<void> {
  const file = join(dir, 'x.bin')
  writeFileSync(file, 'x')
  for (const key of [...OLD, ...NEW]) await stores.incoming.put(key, file)
}

async function localFolders (dir: string): Promise<Record<string, string>> {
  const env = { INCOMING_FOLDER: join(dir, 'in'), ACTIVE_FOLDER: join(dir, 'act'), TEMP_FOLDER: join(dir, 'tmp') }
  await fill(dir, await createStores(loadConfig(env)))
  writeFileSync(join(dir, 'in', PARTIAL), 'half-written by a killed upload')
  for (const name of [...OLD, PARTIAL]) ageLocalFile(join(dir, 'in'), name, DAY)
  return env
}

t.test('on local folders: a dry run lists, a real run removes what is older than the age', async t => {
  const dir = t.testdir()
  const env = await localFolders(dir)

  const dry = await clean(env, '--older-than', '3600', '--dry-run')
  t.equal(dry.code, 0)
  t.equal(dry.stdout, 'Would remove 5 files (2 images) older than 3600 s from incoming.\n')
  t.equal(readdirSync(join(dir, 'in')).length, 7, 'a dry run removes nothing')

  const real = await clean(env, '--older-than', '3600')
  t.equal(real.code, 0, real.stderr)
  t.equal(real.stdout, 'Removed 5 files (2 images) older than 3600 s from incoming.\n')
  t.same(readdirSync(join(dir, 'in')).sort(), NEW)

  const defaultAge = await clean(env)
  t.equal(defaultAge.stdout, 'Removed 0 files (0 images) older than 7200 s from incoming.\n')
})

t.test('on S3: the same, through ListObjectsV2 and DeleteObjects', async t => {
  const s3 = await startS3(t)
  const dir = t.testdir()
  const env = { ...s3.env, TEMP_FOLDER: join(dir, 'tmp') }
  const stores = await createStores(loadConfig(env))
  t.teardown(() => stores.close())
  await fill(dir, stores)
  for (const key of OLD) await s3.age('incoming', key, DAY)

  const dry = await clean(env, '--dry-run')
  t.match(dry.stdout, 'Would remove 4 files (2 images) older than 7200 s from incoming.')
  t.equal((await s3.keys('incoming')).length, 6)

  const real = await clean(env)
  t.equal(real.code, 0, real.stderr)
  t.match(real.stdout, 'Removed 4 files (2 images)')
  t.same(await s3.keys('incoming'), NEW)
  t.equal(s3.requests.filter(r => r.method === 'POST' && r.path === '/incoming/').length, 2, 'one DeleteObjects request an image, holding its key')
})

t.test('bad options and bad config say so on standard error; --help on standard output', async t => {
  for (const args of [['--older-than', 'soon'], ['--older-than', '-5'], ['--older-than'], ['-x'], ['--force'], ['stray'], ['--older-than', ''], ['--older-than', ' '], ['--older-than', '0x10'], ['--older-than', '1e3'], ['--older-than', '0'], ['--older-than', '12345678901']]) {
    const usage = await clean({}, ...args)
    t.equal(usage.code, 2, args.join(' '))
    t.match(usage.stderr, /\nUsage: image-backend-clean-incoming/, args.join(' '))
    t.equal(usage.stdout, '', args.join(' '))
  }
  t.match((await clean({}, '--older-than', 'soon')).stderr, '--older-than takes a whole number of seconds (got "soon")')
  t.match((await clean({}, '--force')).stderr, "Unknown option '--force'")
  t.match((await clean({}, '--older-than', '')).stderr, '--older-than takes a whole number of seconds (got "")', 'an empty age is no 0')
  t.match((await clean({}, '--older-than', '0')).stderr, '--older-than 0 removes uploads being made: add --all to mean it')
  for (const flag of ['--help', '-h']) {
    const help = await clean({}, flag)
    t.equal(help.code, 0)
    t.match(help.stdout, /^Usage: image-backend-clean-incoming/)
  }
  const config = await clean({ STORAGE_BACKEND: 's3' })
  t.equal(config.code, 1)
  t.equal(config.stderr, 'Configuration error: INCOMING_BUCKET is required when STORAGE_BACKEND is s3\n')
})

t.test('the compiled program, as cron runs it: exit code, output, files', async t => {
  const dir = t.testdir()
  const env = await localFolders(dir)
  const run = await runCompiled('bin/clean-incoming.js', env, '--older-than', '3600')
  t.equal(run.code, 0, run.output)
  t.equal(run.output, 'Removed 5 files (2 images) older than 3600 s from incoming.\n')
  t.same(readdirSync(join(dir, 'in')).sort(), NEW)
  const usage = await runCompiled('bin/clean-incoming.js', {}, '--older-than', 'soon')
  t.same([usage.code, usage.output.split('\n')[1]], [2, 'Usage: image-backend-clean-incoming [--older-than SECONDS] [--all] [--dry-run]'], 'no stack trace: the problem, then the usage')
})

t.test('both compiled commands, with the store down: one line saying why, no stack trace, exit 1', async t => {
  const endpoint = `http://127.0.0.1:${await freePort()}`
  const env = { STORAGE_BACKEND: 's3', INCOMING_BUCKET: 'incoming', INCOMING_PREFIX: 'DOWN', ACTIVE_BUCKET: 'active', ACTIVE_PREFIX: 'DOWN', DOWN_ENDPOINT: endpoint, DOWN_ACCESS_KEY_ID: 'k', DOWN_SECRET_KEY: 's', TEMP_FOLDER: t.testdir() }
  for (const [program, args] of [['clean-incoming', []], ['regenerate', ['--missing']]] as const) {
    const run = await runCompiled(`bin/${program}.js`, env, ...args)
    t.equal(run.code, 1, run.output)
    t.match(run.output, new RegExp(`(^|\\n)${program}: The (incoming|active) storage is unavailable\\. Try again later\\.\\n$`), `${program}: the reason`)
    t.notMatch(run.output, /\n\s+at /, `${program}: no stack trace`)
  }
})

t.test('--older-than 0 --all removes everything, a marker and a dead process\'s claim included', async t => {
  const dir = t.testdir()
  const env = await localFolders(dir)
  for (const name of [`pending-${OLD[0]}`, `${OLD[0]}.lock.0a1b2c`]) writeFileSync(join(dir, 'in', name), '')
  // Written a second ago: a file written in the very millisecond of the cutoff is not older than it.
  for (const name of readdirSync(join(dir, 'in'))) ageLocalFile(join(dir, 'in'), name, 1)
  // A claim not refreshed for a day is a dead process's; a live one would make its image skipped.
  ageLocalFile(join(dir, 'in'), `${OLD[0]}.lock.0a1b2c`, DAY)
  const run = await clean(env, '--older-than', '0', '--all')
  t.equal(run.code, 0, run.stderr)
  t.same(readdirSync(join(dir, 'in')), [])
})

t.test('an image a call holds is skipped, and said; the rest goes', async t => {
  const dir = t.testdir()
  const env = await localFolders(dir)
  const stores = await createStores(loadConfig(env))
  const locks = new KeyLocks({ store: stores.incoming, leaseMs: 15_000, waitMs: 0 })
  await locks.with(OLD[0], async () => {
    const run = await clean(env, '--older-than', '3600')
    t.equal(run.stdout, 'Removed 2 files (1 images) older than 3600 s from incoming. Skipped 1 images in use: the next run takes them.\n')
  })
  t.same(readdirSync(join(dir, 'in')).sort(), [...OLD.slice(0, 3), ...NEW].sort(), 'the held image whole')
})

t.test('clean-incoming racing publishes of the images it removes: each ends whole in active (200) or gone (404), never half', async t => {
  const { app, config } = await testApp(t)
  const env = { INCOMING_FOLDER: config.incomingFolder, ACTIVE_FOLDER: config.activeFolder, TEMP_FOLDER: join(t.testdir(), 'tmp') }
  const photo = makeImage(t.testdir(), 'a.png', '60x40')
  for (let round = 0; round < 4; round++) {
    const keys: string[] = []
    for (let i = 0; i < 3; i++) keys.push((await upload(app, photo)).body.filename)
    for (const name of readdirSync(config.incomingFolder)) ageLocalFile(config.incomingFolder, name, DAY)
    const publishing = keys.map(async key => (await publish(app, key)).statusCode)
    const [statuses] = await Promise.all([Promise.all(publishing), clean(env, '--older-than', '3600')])
    keys.forEach((key, i) => {
      const stem = key.slice(0, key.indexOf('.'))
      const inActive = readdirSync(config.activeFolder).filter(name => name.startsWith(stem)).sort()
      if (statuses[i] === 200) t.same(inActive, [key, `${stem}BI.png`, `${stem}MI.png`, `${stem}SI.png`].sort(), `round ${round}: published whole`)
      else t.same([statuses[i], inActive], [404, []], `round ${round}: gone, nothing of it in active`)
    })
    t.same(readdirSync(config.incomingFolder), [], `round ${round}: incoming empty`)
  }
})
