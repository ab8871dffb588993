import { join } from 'node:path'
import t from 'tap'
import { KeyLocks, touch } from '../../src/lifecycle/key-lock.js'
import { createLocalStorage } from '../../src/storage/local-storage.js'
import { FakeClock } from '../fake-clock.js'
import { MemoryStorage } from '../memory-storage.js'
import { filesIn, type TestContext } from '../helpers.js'
import { ageLocalFile } from '../storage/contract.js'
import { until } from '../until.js'

const KEY = '1732790000_0123456789.jpg'

/** Two processes' locks on one store, as two replicas on one bucket. */
async function replicas (t: TestContext & { testdir: () => string }, leaseMs: number, waitMs = 60_000): Promise<{ folder: string, first: KeyLocks, second: KeyLocks }> {
  const folder = t.testdir()
  const store = await createLocalStorage('incoming', folder)
  return { folder, first: new KeyLocks({ store, leaseMs, waitMs }), second: new KeyLocks({ store, leaseMs, waitMs }) }
}

/** A task that says when it runs and ends only when `release` is called. */
function holding (): { task: () => Promise<void>, started: () => boolean, release: () => void } {
  let started = false
  let release = (): void => {}
  const done = new Promise<void>(resolve => { release = resolve })
  return { task: async () => { started = true; await done }, started: () => started, release }
}

t.test('one call at a time on a key, across two replicas; calls on other keys do not wait', async t => {
  const { folder, first, second } = await replicas(t, 15_000)
  let inside = 0
  let most = 0
  const call = async (locks: KeyLocks): Promise<void> => await locks.with(KEY, async () => {
    most = Math.max(most, ++inside)
    // Something that takes a while and lets the other calls run meanwhile.
    await createLocalStorage('scratch', join(folder, 'scratch'))
    inside--
  })
  await Promise.all(Array.from({ length: 12 }, async (_, i) => await call(i % 2 === 0 ? first : second)))
  t.equal(most, 1, 'never two holders')
  const other = holding()
  const held = first.with(KEY, other.task)
  await until(other.started, 'the holding task to start')
  t.equal(await second.with('1732790000_9999999999.jpg', async () => 'free'), 'free')
  other.release()
  await held
  t.same(filesIn(folder).filter(name => name.includes('.lock.')), [], 'every claim removed')
})

t.test('a holder keeps its claim fresh past the lease: the other replica is told Busy, then gets the key once it is released', async t => {
  const clock = new FakeClock()
  const store = new MemoryStorage('incoming', clock)
  const [first, second] = [0, 1].map(() => new KeyLocks({ store, leaseMs: 15_000, waitMs: 0, clock }))
  const holder = holding()
  const held = first.with(KEY, holder.task)
  await until(holder.started, 'the holding task to start')
  for (let lease = 0; lease < 4; lease++) {
    await clock.advance(15_000)
    await t.rejects(second.with(KEY, async () => {}), { name: 'Busy' }, `still held after ${lease + 1} leases`)
  }
  holder.release()
  await held
  t.equal(await second.with(KEY, async () => 'mine'), 'mine')
  t.same(store.keys, [])
})

t.test('a claim not refreshed for a lease and a second is a dead replica\'s: it is removed and the key taken; a younger one is not', async t => {
  const clock = new FakeClock()
  const store = new MemoryStorage('incoming', clock)
  const locks = new KeyLocks({ store, leaseMs: 15_000, waitMs: 0, clock })
  // Written once by a replica that died holding the key.
  const dead = `${KEY}.lock.deadbeef0000`
  await touch(store, dead)
  clock.stall(16_000)
  await t.rejects(locks.with(KEY, async () => {}), { name: 'Busy' }, 'a lease and less than its second of slack: still live')
  clock.stall(1000)
  t.equal(await locks.with(KEY, async () => store.keys.includes(dead)), false, 'gone before the call ran')
  t.same(store.keys, [])
})

t.test('Busy when a key stays held past the wait, and when too many calls wait on it in one process', async t => {
  const { first, second } = await replicas(t, 15_000, 200)
  const holder = holding()
  const held = first.with(KEY, holder.task)
  await until(holder.started, 'the holding task to start')
  await t.rejects(second.with(KEY, async () => {}), { message: 'This image is busy. Try again shortly.', retryAfterSeconds: 1 })
  const queued = Array.from({ length: 31 }, async () => await first.with(KEY, async () => {}).catch(error => error))
  await t.rejects(first.with(KEY, async () => {}), { message: 'Too many calls on this image at once. Try again shortly.', retryAfterSeconds: 1 })
  holder.release()
  await held
  t.same((await Promise.all(queued)).filter(result => result !== undefined), [], 'those that waited ran')
})

t.test('fencing: a holder stalled past its lease writes nothing public once another replica has taken the key', async t => {
  const folder = t.testdir()
  const store = await createLocalStorage('incoming', folder)
  const clock = new FakeClock()
  const stalled = new KeyLocks({ store, leaseMs: 15_000, waitMs: 0, clock })
  const other = new KeyLocks({ store, leaseMs: 15_000, waitMs: 0 })
  const written: string[] = []
  let resume = (): void => {}
  const resumed = new Promise<void>(resolve => { resume = resolve })
  let entered = (): void => {}
  const inside = new Promise<void>(resolve => { entered = resolve })
  // A rotate under way: its claim is checked right before each public write.
  const rotate = stalled.with(KEY, async claim => {
    claim.check()
    written.push('first thumbnail')
    entered()
    await resumed
    claim.check()
    written.push('the rest')
  })
  await inside
  await t.rejects(other.with(KEY, async () => {}), { name: 'Busy' }, 'while its refreshes run, the key is its own')
  await clock.advance(14_000)
  t.equal(filesIn(folder).length, 1, 'refreshed, not taken')

  // Frozen for a lease: no refresh ran. By the store's clock its claim is then abandoned, and the other replica deletes the image.
  clock.stall(15_000)
  const [claim] = filesIn(folder)
  ageLocalFile(folder, claim, 17)
  await other.with(KEY, async () => { written.push('deleted by the other replica') })
  t.same(filesIn(folder), [], 'the stalled claim was removed by the other replica')

  resume()
  await t.rejects(rotate, { name: 'Busy', message: 'This image was held too long. Try again shortly.' })
  await clock.advance(15_000)
  t.same(written, ['first thumbnail', 'deleted by the other replica'], 'nothing written after the other replica took the key')
  t.same(filesIn(folder), [], 'a late refresh does not write the lost claim back')
})

t.test('a claim released while its refresh is under way is not written back', async t => {
  const clock = new FakeClock()
  const store = new MemoryStorage('incoming', clock)
  const locks = new KeyLocks({ store, leaseMs: 15_000, waitMs: 0, clock })
  let refreshing = Promise.resolve()
  // The task ends, and the claim is released, while the refresh the clock started is writing.
  await locks.with(KEY, async () => { refreshing = clock.advance(5000) })
  await refreshing
  t.same(store.keys, [], 'no claim left to block the key for a lease')
})
