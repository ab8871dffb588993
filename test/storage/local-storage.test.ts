import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { access } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import t from 'tap'
import { createLocalStorage, LocalStorage } from '../../src/storage/local-storage.js'
import { TempFolder } from '../../src/storage/temp-folder.js'
import { filesIn } from '../helpers.js'
import { ageLocalFile, storageContract } from './contract.js'

const KEY = '1732790000_0123456789.jpg'

storageContract(t, async (t, pageSize) => {
  // Not t.testdir(): the contract's tests use that for their own files.
  const dir = mkdtempSync(join(tmpdir(), 'image-backend-local-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const incoming = await new LocalStorage('incoming', join(dir, 'incoming'), pageSize).init()
  const active = await new LocalStorage('active', join(dir, 'active'), pageSize).init()
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

  t.same(await incoming.moveAll([KEY], active), [KEY])
  t.equal(await incoming.exists(KEY), false)
  t.equal(readFileSync(join(dir, 'out', KEY), 'utf8'), 'image bytes')
  t.same(await incoming.moveAll([KEY], active), [], 'what is gone is not moved')
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

t.test('the temp folder gives each job its own folder inside this process\'s own', async t => {
  const temp = await new TempFolder(join(t.testdir(), 'temp')).init()
  t.teardown(async () => await temp.close())
  const one = await temp.workspace()
  const two = await temp.workspace()
  t.not(one.dir, two.dir)
  t.equal(dirname(one.dir), temp.dir)
  writeFileSync(one.file('upload'), 'x')
  mkdirSync(one.file('sub'))
  await one.remove()
  t.notOk(existsSync(one.dir))
  t.ok(existsSync(two.dir))
})

t.test('at start, only the folders of processes that are gone are swept', async t => {
  const dir = t.testdir({
    temp: {
      'someone-else.txt': 'keep',
      'proc-elsewhere-12-aa': { 'job-1': { upload: 'a live replica on another host' } },
      'proc-elsewhere-13-bb': { 'job-1': { upload: 'a replica that stopped refreshing its folder' } },
      'job-old': { upload: 'left by an older version, long ago' }
    }
  })
  const folder = join(dir, 'temp')
  const anHourAgo = new Date(Date.now() - 3600_000)
  for (const name of ['proc-elsewhere-13-bb', 'job-old']) utimesSync(join(folder, name), anHourAgo, anHourAgo)
  // A live process of this host, and one that has exited.
  const live = await new TempFolder(folder).init()
  t.teardown(async () => await live.close())
  const exited = spawnSync(process.execPath, ['-e', '']).pid as number
  const dead = basename(live.dir).replace(`-${process.pid}-`, `-${exited}-`)
  mkdirSync(join(folder, dead))

  const next = await new TempFolder(folder).init()
  t.teardown(async () => await next.close())
  t.same(filesIn(folder), [basename(live.dir), basename(next.dir), 'proc-elsewhere-12-aa', 'someone-else.txt'].sort())
})

t.test('a temp folder removed under a running process is made again; close removes its own', async t => {
  const folder = join(t.testdir(), 'temp')
  const temp = await new TempFolder(folder).init()
  rmSync(folder, { recursive: true })
  await t.rejects(access(temp.dir), 'gone')
  const workspace = await temp.workspace()
  writeFileSync(workspace.file('upload'), 'x')
  await t.resolves(temp.reachable())
  await temp.close()
  t.notOk(existsSync(temp.dir))
})
