import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { main } from '../../src/cli/clean-incoming.js'
import { loadConfig } from '../../src/config.js'
import { createStores } from '../../src/storage/create-stores.js'
import type { Stores } from '../../src/storage/stores.js'
import { runMain } from '../io.js'
import { startS3 } from '../s3.js'
import { runCompiled } from '../server-process.js'
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
  t.equal(s3.requests.filter(r => r.method === 'POST' && r.path === '/incoming/').length, 1, 'one DeleteObjects request')
})

t.test('bad options and bad config say so on standard error; --help on standard output', async t => {
  for (const args of [['--older-than', 'soon'], ['--older-than', '-5'], ['--older-than'], ['-x'], ['--force'], ['stray']]) {
    const usage = await clean({}, ...args)
    t.equal(usage.code, 2, args.join(' '))
    t.match(usage.stderr, /\nUsage: image-backend-clean-incoming/, args.join(' '))
    t.equal(usage.stdout, '', args.join(' '))
  }
  t.match((await clean({}, '--older-than', 'soon')).stderr, '--older-than takes a whole number of seconds (got "soon")')
  t.match((await clean({}, '--force')).stderr, "Unknown option '--force'")
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
  t.same([usage.code, usage.output.split('\n')[1]], [2, 'Usage: image-backend-clean-incoming [--older-than SECONDS] [--dry-run]'], 'no stack trace: the problem, then the usage')
})
