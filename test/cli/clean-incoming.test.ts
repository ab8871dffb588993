import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { loadConfig } from '../../src/config.js'
import { createStores } from '../../src/storage/create-stores.js'
import type { Stores } from '../../src/storage/stores.js'
import { ageLocalFile } from '../storage/contract.js'
import { startS3 } from '../s3.js'
import { runCli } from '../server-process.js'

const clean = async (env: Record<string, string>, ...args: string[]): Promise<{ code: number, output: string }> => await runCli('clean-incoming', env, ...args)

const OLD = ['1732790000_0000000001.jpg', '1732790000_0000000001BI.jpg', '1732790000_0000000001SI.jpg', '1732790000_2.png']
const NEW = ['1732790000_0000000003.gif', '1732790000_0000000003MI.gif']

async function fill (dir: string, stores: Stores): Promise<void> {
  const file = join(dir, 'x.bin')
  writeFileSync(file, 'x')
  for (const key of [...OLD, ...NEW]) await stores.incoming.put(key, file)
}

t.test('on local folders: a dry run lists, a real run removes what is older than the age', async t => {
  const dir = t.testdir()
  const env = { INCOMING_FOLDER: join(dir, 'in'), ACTIVE_FOLDER: join(dir, 'act'), TEMP_FOLDER: join(dir, 'tmp') }
  const stores = await createStores(loadConfig(env))
  await fill(dir, stores)
  writeFileSync(join(dir, 'in', '.partial-0b6f1c1e-6d0f-4c57-9d3e-2a1b3c4d5e6f'), 'half-written by a killed upload')
  for (const name of [...OLD, '.partial-0b6f1c1e-6d0f-4c57-9d3e-2a1b3c4d5e6f']) ageLocalFile(join(dir, 'in'), name, 60)

  const dry = await clean(env, '--older-than', '30', '--dry-run')
  t.equal(dry.code, 0)
  t.match(dry.output, 'Would remove 5 files (2 images) older than 30 s from incoming.')
  t.equal(readdirSync(join(dir, 'in')).length, 7, 'a dry run removes nothing')

  const real = await clean(env, '--older-than', '30')
  t.equal(real.code, 0, real.output)
  t.match(real.output, 'Removed 5 files (2 images) older than 30 s from incoming.')
  t.same(readdirSync(join(dir, 'in')).sort(), NEW)

  const defaultAge = await clean(env)
  t.match(defaultAge.output, 'Removed 0 files (0 images) older than 7200 s')
})

t.test('on S3: the same, through ListObjectsV2 and DeleteObjects', async t => {
  const s3 = await startS3(t)
  const dir = t.testdir()
  const env = { ...s3.env, TEMP_FOLDER: join(dir, 'tmp') }
  const stores = await createStores(loadConfig(env))
  t.teardown(() => stores.close())
  await fill(dir, stores)
  for (const key of OLD) s3.age('incoming', key, 3 * 3600)

  const dry = await clean(env, '--dry-run')
  t.match(dry.output, 'Would remove 4 files (2 images) older than 7200 s from incoming.')
  t.equal((await s3.keys('incoming')).length, 6)

  const real = await clean(env)
  t.equal(real.code, 0, real.output)
  t.match(real.output, 'Removed 4 files (2 images)')
  t.same(await s3.keys('incoming'), NEW)
  t.equal(s3.requests.filter(r => r.method === 'POST' && r.path === '/incoming/').length, 1, 'one DeleteObjects request')
})

t.test('bad options and bad config say so', async t => {
  const usage = await clean({}, '--older-than', 'soon')
  t.equal(usage.code, 2)
  t.match(usage.output, 'Usage: npm run clean:incoming')
  const help = await clean({}, '--help')
  t.equal(help.code, 0)
  const config = await clean({ STORAGE_BACKEND: 's3' })
  t.equal(config.code, 1)
  t.match(config.output, 'Configuration error: INCOMING_BUCKET is required when STORAGE_BACKEND is s3')
})
