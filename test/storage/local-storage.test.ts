import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { createLocalStorage } from '../../src/storage/local-storage.js'
import { TempFolder } from '../../src/storage/temp-folder.js'
import { filesIn } from '../helpers.js'
import { ageLocalFile, storageContract } from './contract.js'

const KEY = '1732790000_0123456789.jpg'

storageContract(t, async t => {
  // Not t.testdir(): the contract's tests use that for their own files.
  const dir = mkdtempSync(join(tmpdir(), 'image-backend-local-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const incoming = await createLocalStorage('incoming', join(dir, 'incoming'))
  const active = await createLocalStorage('active', join(dir, 'active'))
  return {
    incoming,
    active,
    age: async (store, key, seconds) => ageLocalFile(store === incoming ? incoming.folder : active.folder, key, seconds)
  }
})

t.test('put, exists, fetch, move and delete on local folders', async t => {
  const dir = t.testdir({ 'source.jpg': 'image bytes' })
  const incoming = await createLocalStorage('incoming', join(dir, 'in'))
  const active = await createLocalStorage('active', join(dir, 'out'))
  t.equal(await incoming.exists(KEY), false)
  await incoming.put(KEY, join(dir, 'source.jpg'))
  t.equal(await incoming.exists(KEY), true)
  t.ok(existsSync(join(dir, 'source.jpg')), 'put copies, the source stays')
  t.same(filesIn(join(dir, 'in')), [KEY], 'no partial file left beside it')

  await incoming.fetch(KEY, join(dir, 'fetched.jpg'))
  t.equal(readFileSync(join(dir, 'fetched.jpg'), 'utf8'), 'image bytes')

  await incoming.move(KEY, active)
  t.equal(await incoming.exists(KEY), false)
  t.equal(readFileSync(join(dir, 'out', KEY), 'utf8'), 'image bytes')
  await t.rejects(incoming.move(KEY, active), { name: 'MissingKeyError' }, 'moving what is gone says so')
  await t.rejects(incoming.fetch(KEY, join(dir, 'x')), { name: 'MissingKeyError' })

  await active.delete(KEY)
  t.equal(await active.exists(KEY), false)
  await active.delete(KEY)
  t.pass('deleting again is fine')
})

t.test('put replaces a key whole', async t => {
  const dir = t.testdir({ 'a.jpg': 'first', 'b.jpg': 'second' })
  const store = await createLocalStorage('active', join(dir, 'store'))
  await store.put(KEY, join(dir, 'a.jpg'))
  await store.put(KEY, join(dir, 'b.jpg'))
  t.equal(readFileSync(join(dir, 'store', KEY), 'utf8'), 'second')
})

t.test('a key that is not a plain file name never reaches the file system', async t => {
  const dir = t.testdir({ 'a.jpg': 'x' })
  const store = await createLocalStorage('active', join(dir, 'store'))
  for (const key of ['../a.jpg', '/etc/passwd', 'a/b.jpg', '.hidden.jpg', '']) {
    await t.rejects(store.exists(key), /Unsafe storage key/, JSON.stringify(key))
    await t.rejects(store.put(key, join(dir, 'a.jpg')), /Unsafe storage key/)
  }
})

t.test('the temp folder gives each job its own folder and sweeps only its own leftovers', async t => {
  const dir = t.testdir({ temp: { 'job-old': { 'upload': 'left by a killed process' }, 'someone-else.txt': 'keep' } })
  const temp = await new TempFolder(join(dir, 'temp')).init()
  t.same(filesIn(join(dir, 'temp')), ['someone-else.txt'])
  const one = await temp.workspace()
  const two = await temp.workspace()
  t.not(one.dir, two.dir)
  writeFileSync(one.file('upload'), 'x')
  mkdirSync(one.file('sub'))
  await one.remove()
  t.notOk(existsSync(one.dir))
  t.ok(existsSync(two.dir))
})
