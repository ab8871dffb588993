import { writeFileSync, readFileSync, utimesSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import type { Storage } from '../../src/storage/storage.js'

const KEY = '1732790000_0123456789.jpg'

interface TestContext {
  test: (name: string, fn: (t: any) => Promise<void>) => Promise<unknown>
  testdir: () => string
}

export interface ContractStores {
  incoming: Storage
  active: Storage
  /** Makes `key` in `store` look written `seconds` ago. */
  age: (store: Storage, key: string, seconds: number) => Promise<void>
}

/** What every backend must do: the same tests run against local folders and against S3. */
export function storageContract (t: TestContext, makeStores: (t: any) => Promise<ContractStores>): void {
  t.test('a store that is there is reachable', async t => {
    const { incoming, active } = await makeStores(t)
    await t.resolves(incoming.reachable())
    await t.resolves(active.reachable())
  })

  t.test('exists, put, fetch, delete', async t => {
    const { incoming } = await makeStores(t)
    const dir = t.testdir()
    writeFileSync(join(dir, 'a.jpg'), 'first version')
    writeFileSync(join(dir, 'b.jpg'), 'second version')
    t.equal(await incoming.exists(KEY), false)
    await incoming.put(KEY, join(dir, 'a.jpg'))
    t.equal(await incoming.exists(KEY), true)
    await incoming.put(KEY, join(dir, 'b.jpg'))
    await incoming.fetch(KEY, join(dir, 'fetched.jpg'))
    t.equal(readFileSync(join(dir, 'fetched.jpg'), 'utf8'), 'second version', 'put replaces')
    await incoming.delete(KEY)
    t.equal(await incoming.exists(KEY), false)
    await incoming.delete(KEY)
    await t.rejects(incoming.fetch(KEY, join(dir, 'gone.jpg')), { name: 'MissingKeyError' })
  })

  t.test('listPrefix finds the keys that start with a prefix, with their age by the store\'s clock', async t => {
    const { incoming, age } = await makeStores(t)
    const empty = async (key: string): Promise<void> => await incoming.putStream(key, Readable.from([]), 0)
    for (const key of [`${KEY}.lock.0a1b2c`, `${KEY}.lock.3d4e5f`, `${KEY}.pending`, KEY, '1732790000_0123456788.jpg.lock.aaaaaa']) await empty(key)
    await age(incoming, `${KEY}.lock.0a1b2c`, 3600)
    const found = await incoming.listPrefix(`${KEY}.lock.`)
    t.same(found.map(each => each.key).sort(), [`${KEY}.lock.0a1b2c`, `${KEY}.lock.3d4e5f`])
    const [old, fresh] = found.sort((a, b) => a.key.localeCompare(b.key)).map(each => each.modified.getTime())
    t.ok(fresh - old >= 3590_000, 'the aged one is an hour older')
    t.same(await incoming.listPrefix('1732790000_9'), [], 'none')
  })

  t.test('putStream stores exactly the bytes it is given', async t => {
    const { active } = await makeStores(t)
    const dir = t.testdir()
    const bytes = Buffer.alloc(300_000, 7)
    await active.putStream(KEY, Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]), bytes.length)
    await active.fetch(KEY, join(dir, 'back.jpg'))
    t.same(readFileSync(join(dir, 'back.jpg')), bytes)
  })

  t.test('move takes a key from one store to the other', async t => {
    const { incoming, active } = await makeStores(t)
    const dir = t.testdir()
    writeFileSync(join(dir, 'a.jpg'), 'moving')
    await incoming.put(KEY, join(dir, 'a.jpg'))
    await incoming.move(KEY, active)
    t.equal(await incoming.exists(KEY), false)
    await active.fetch(KEY, join(dir, 'moved.jpg'))
    t.equal(readFileSync(join(dir, 'moved.jpg'), 'utf8'), 'moving')
    await t.rejects(incoming.move(KEY, active), { name: 'MissingKeyError' }, 'moving what is gone says so')
    t.equal(await active.exists(KEY), true, 'and leaves the target alone')
  })

  t.test('listOlderThan and deleteMany find and remove old keys only', async t => {
    const { incoming, age } = await makeStores(t)
    const dir = t.testdir()
    writeFileSync(join(dir, 'a.jpg'), 'x')
    const old = ['1732790000_1.jpg', '1732790000_1BI.jpg', '1732790000_2.png']
    const recent = ['1732790000_3.gif']
    for (const key of [...old, ...recent]) await incoming.put(key, join(dir, 'a.jpg'))
    for (const key of old) await age(incoming, key, 3 * 3600)
    const cutoff = new Date(Date.now() - 2 * 3600 * 1000)
    const listed: string[] = []
    for await (const page of incoming.listOlderThan(cutoff)) listed.push(...page)
    t.same(listed.sort(), old.sort())
    await incoming.deleteMany(listed)
    for (const key of old) t.equal(await incoming.exists(key), false, key)
    t.equal(await incoming.exists(recent[0]), true)
  })
}

/** For local folders: set the file's modification time back. */
export function ageLocalFile (folder: string, key: string, seconds: number): void {
  const when = new Date(Date.now() - seconds * 1000)
  utimesSync(join(folder, key), when, when)
}
