import { writeFileSync, readFileSync, utimesSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import type { Test } from 'tap'
import type { Storage } from '../../src/storage/storage.js'

const KEY = '1732790000_0123456789.jpg'

export interface ContractStores {
  incoming: Storage
  active: Storage
  /** Makes `key` in `store` look written `seconds` ago. */
  age: (store: Storage, key: string, seconds: number) => Promise<void>
}

/**
 * What every backend must do: the same tests run against local folders, S3 and memory.
 * `makeStores` makes stores whose listings hold `pageSize` keys a page, when given.
 */
export function storageContract (t: Test, makeStores: (t: any, pageSize?: number) => Promise<ContractStores>): void {
  t.test('listings go past a page: every key once, in byte order', async t => {
    const { incoming } = await makeStores(t, 2)
    const stem = '1732790000_5'
    const family = [`${stem}.jpg`, `${stem}BI.jpg`, `${stem}BI.webp`, `${stem}MI.jpg`, `${stem}SI.jpg`]
    const others = ['1732790000_4.jpg', '1732790000_6.jpg', 'pending-1732790000_5.jpg']
    for (const key of [...others, ...family]) await incoming.putStream(key, Readable.from([]), 0)
    const pages: string[][] = []
    for await (const page of incoming.list(stem)) pages.push(page.map(each => each.key))
    t.same(pages, [family.slice(0, 2), family.slice(2, 4), family.slice(4)], 'three pages of two, one')
    t.same((await incoming.listPrefix(stem)).map(each => each.key), family)
    const every: string[] = []
    for await (const page of incoming.list()) every.push(...page.map(each => each.key))
    t.same(every, [...others, ...family].sort())
    const older: string[] = []
    for await (const page of incoming.listOlderThan(new Date(Date.now() + 60_000))) older.push(...page)
    t.same(older.sort(), every)
  })

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

  t.test('moveAll takes keys from one store to the other, the last after the rest, and says which it moved', async t => {
    const { incoming, active } = await makeStores(t)
    const dir = t.testdir()
    writeFileSync(join(dir, 'a.jpg'), 'moving')
    const family = ['1732790000_0123456789BI.jpg', '1732790000_0123456789SI.jpg', KEY]
    for (const key of family) await incoming.put(key, join(dir, 'a.jpg'))
    let guarded = 0
    t.same(await incoming.moveAll(['1732790000_0123456789MI.jpg', ...family], active, () => { guarded++ }), family, 'a key the store lacks is not moved')
    t.equal(guarded, 4, 'the guard ran before each write')
    for (const key of family) t.equal(await incoming.exists(key), false, `${key} left`)
    await active.fetch(KEY, join(dir, 'moved.jpg'))
    t.equal(readFileSync(join(dir, 'moved.jpg'), 'utf8'), 'moving')
    t.same(await incoming.moveAll([KEY], active), [], 'moving what is gone moves nothing')
    t.equal(await active.exists(KEY), true, 'and leaves the target alone')
    await incoming.put(KEY, join(dir, 'a.jpg'))
    await t.rejects(incoming.moveAll([KEY], active, () => { throw new Error('lost') }), { message: 'lost' }, 'a guard that throws stops the move')
    t.equal(await incoming.exists(KEY), true, 'and the key stays')
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
