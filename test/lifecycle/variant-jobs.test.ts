// The owed-work machinery on a fake clock and stores in memory: every lease, refresh, takeover and
// sweep below runs in milliseconds. The end-to-end races prove the same wiring on real servers.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { touch, KeyLocks } from '../../src/lifecycle/key-lock.js'
import { OwedMarkers } from '../../src/lifecycle/owed-markers.js'
import { VariantJobs, type VariantJobsOptions } from '../../src/lifecycle/variant-jobs.js'
import { TempFolder } from '../../src/storage/temp-folder.js'
import { FakeClock } from '../fake-clock.js'
import { NO_LIMIT_MS, testImaging, type TestContext } from '../helpers.js'
import { MemoryStorage } from '../memory-storage.js'

const LEASE = 15_000
const KEY = '1732790000_0123456789.jpg'
const MARKER = `pending-${KEY}`

interface Replica {
  jobs: VariantJobs
  takenOver: number
  deferred: number
}

/** One clock and one pair of stores, as replicas on one bucket see them; `replica()` makes one more. */
function cluster (t: TestContext) {
  const clock = new FakeClock()
  const incoming = new MemoryStorage('incoming', clock)
  const active = new MemoryStorage('active', clock)
  const dir = mkdtempSync(join(tmpdir(), 'image-backend-jobs-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const replicas: Replica[] = []
  t.teardown(async () => { for (const { jobs } of replicas) await jobs.drain(NO_LIMIT_MS) })
  const replica = async (options: Partial<VariantJobsOptions> = {}): Promise<Replica> => {
    const temp = await new TempFolder(mkdtempSync(join(dir, 'temp-'))).init()
    // No wait on a busy key: a waiting claim sleeps on the clock, which only the test moves.
    const locks = new KeyLocks({ store: incoming, leaseMs: LEASE, waitMs: 0, clock })
    const made: Replica = { takenOver: 0, deferred: 0, jobs: undefined as unknown as VariantJobs }
    made.jobs = new VariantJobs({
      stores: { temp, incoming, active, close: async () => await temp.close() },
      imaging: testImaging(),
      suffixes: ['BI', 'SI'],
      formats: ['webp'],
      thumbnailsPublishDelayMs: 1000,
      leaseMs: LEASE,
      locks,
      backlog: 8,
      clock,
      events: { takenOver: count => { made.takenOver += count }, deferred: () => { made.deferred++ } },
      ...options
    })
    replicas.push(made)
    return made
  }
  return { clock, incoming, active, replica }
}

/** Moves the clock by `leases` leases, a second at a time, as a live process would see it go. */
async function leases (clock: FakeClock, count: number): Promise<void> {
  for (let second = 0; second < count * LEASE / 1000; second++) await clock.advance(1000)
}

t.test('a held marker is refreshed and left alone by another replica; once its holder stops, the other takes it over', async t => {
  const { clock, incoming, replica } = cluster(t)
  const holder = await replica()
  const other = await replica()
  await Promise.all([holder.jobs.startBackground(), other.jobs.startBackground()])
  await holder.jobs.owe(KEY)
  await leases(clock, 4)
  t.equal(other.takenOver, 0, 'refreshed every third of a lease: never stale')
  t.same(incoming.keys, [MARKER])

  await holder.jobs.drain(NO_LIMIT_MS)
  await leases(clock, 3)
  t.equal(other.takenOver, 1, 'taken over once, by the replica still running')
  await other.jobs.drain(NO_LIMIT_MS)
  t.same(incoming.keys, [], 'its job found no image, removed what there was of it, and the marker')
})

t.test('two replicas sweeping the same stale markers take each one once', async t => {
  const { clock, incoming, replica } = cluster(t)
  const keys = Array.from({ length: 12 }, (_, i) => `1732790000_${String(i).padStart(10, '0')}.jpg`)
  for (const key of keys) {
    await touch(incoming, `pending-${key}`)
    incoming.age(`pending-${key}`, 2 * LEASE)
  }
  const [first, second] = await Promise.all([replica(), replica()])
  await Promise.all([first.jobs.startBackground(), second.jobs.startBackground()])
  await leases(clock, 2)
  await Promise.all([first.jobs.drain(NO_LIMIT_MS), second.jobs.drain(NO_LIMIT_MS)])
  t.equal(first.takenOver + second.takenOver, keys.length, `each marker taken once (${first.takenOver} + ${second.takenOver})`)
  t.same(incoming.keys, [], 'every job done: no marker, no claim')
})

t.test('a marker removed while its refresh is under way is not written back', async t => {
  const store = new MemoryStorage('incoming')
  const markers = new OwedMarkers(store)
  await markers.hold(KEY)
  const refreshing = markers.refresh()
  await markers.remove(KEY)
  await refreshing
  t.same(store.keys, [], 'removed after the refresh, not before it')
  await markers.refresh()
  t.same(store.keys, [], 'and not refreshed any more')
})

t.test('a job past the backlog is left to its marker, deferred, and a lease later a sweep takes it', async t => {
  const { clock, incoming, replica } = cluster(t)
  const full = await replica({ backlog: 0 })
  const other = await replica()
  await Promise.all([full.jobs.startBackground(), other.jobs.startBackground()])
  await full.jobs.afterPublish(KEY, new Set())
  t.same(incoming.keys, [MARKER], 'owed, on record')
  await clock.advance(1000)
  t.equal(full.deferred, 1, 'deferred once its delay passed')
  await leases(clock, 3)
  t.equal(other.takenOver + full.takenOver, 1, 'taken over by a sweep')
  await other.jobs.drain(NO_LIMIT_MS)
  t.same(incoming.keys, [])
})

t.test('drain cancels what waits for its delay, waits for what runs, and gives up at its limit', async t => {
  const { clock, incoming, replica } = cluster(t)
  const { jobs } = await replica()
  await jobs.afterPublish(KEY, new Set())
  t.ok(jobs.busy, 'waiting for its delay')
  t.equal(await jobs.drain(NO_LIMIT_MS), true)
  t.notOk(jobs.busy)
  await clock.advance(5000)
  t.same(incoming.keys, [MARKER], 'the job never ran: its marker stays for another replica')

  // A job that runs and cannot write yet: its key is held by a call of the same process.
  const locks = new KeyLocks({ store: incoming, leaseMs: LEASE, waitMs: 0, clock })
  const { jobs: running } = await replica({ locks })
  let release = (): void => {}
  const held = locks.with(KEY, async () => await new Promise<void>(resolve => { release = resolve }))
  await running.afterPublish(KEY, new Set())
  await clock.advance(1000)
  t.ok(running.busy, 'running')
  const drained = running.drain(3000)
  await clock.advance(3000)
  t.equal(await drained, false, 'cut off at its limit')
  release()
  await held
  t.equal(await running.drain(NO_LIMIT_MS), true, 'done once the key was free')
  t.same(incoming.keys, [], 'and its marker gone')
})
