import t from 'tap'
import { BACKGROUND, FOLLOWING, Priority, Queue } from '../../src/imaging/queue.js'

t.test('never more than `concurrency` tasks at once, taken in arrival order', async t => {
  const queue = new Queue(2)
  let running = 0
  let most = 0
  const started: number[] = []
  const task = (id: number) => async () => {
    started.push(id)
    running++
    most = Math.max(most, running)
    await new Promise(resolve => setImmediate(resolve))
    running--
    if (id === 3) throw new Error('task 3 failed')
    return id
  }
  const results = await Promise.allSettled([1, 2, 3, 4, 5, 6].map(async id => await queue.run(task(id))))
  t.equal(most, 2)
  t.same(started, [1, 2, 3, 4, 5, 6])
  t.same(results.map(result => result.status), ['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled'])
  t.equal(queue.running, 0, 'a failed task frees its slot')
})

t.test('tasks together stay within the memory budget; one larger than it runs alone', async t => {
  const queue = new Queue(3, 100)
  const active: number[] = []
  const seen: number[][] = []
  const task = (bytes: number) => async () => {
    active.push(bytes)
    seen.push([...active].sort((a, b) => a - b))
    await new Promise(resolve => setImmediate(resolve))
    active.splice(active.indexOf(bytes), 1)
  }
  await Promise.all([60, 30, 50, 150, 10, 10].map(async bytes => await queue.run(task(bytes), bytes)))
  t.ok(seen.some(set => set.length > 1), 'small tasks share the slots')
  t.same(seen.filter(set => set.reduce((sum, bytes) => sum + bytes) > 100), [[150]], 'only the oversized task goes past the budget, alone')
  t.same(seen.map(set => set.length).filter(n => n > 3), [], 'never past the concurrency')
  t.same([queue.memory, queue.running], [0, 0])
})

t.test('waiting tasks start by priority: a request under way, then a new one, then background work', async t => {
  const queue = new Queue(2)
  const order: string[] = []
  let release: () => void = () => {}
  const gate = new Promise<void>(resolve => { release = resolve })
  const hold = [queue.run(async () => await gate), queue.run(async () => await gate)]
  const queued = [
    ['background', Priority.Background], ['new', Priority.Starting], ['under way', Priority.Continuing]
  ].map(async ([name, priority]) => await queue.run(async () => { order.push(name as string) }, 0, { priority: priority as Priority }))
  t.equal(queue.waiting, 3)
  release()
  await Promise.all([...hold, ...queued])
  t.same(order, ['under way', 'new', 'background'])
})

t.test('background work never takes the last free slot', async t => {
  const queue = new Queue(2)
  let release: () => void = () => {}
  const gate = new Promise<void>(resolve => { release = resolve })
  const first = queue.run(async () => await gate, 0, BACKGROUND)
  let secondStarted = false
  const second = queue.run(async () => { secondStarted = true }, 0, BACKGROUND)
  t.same([queue.running, queue.waiting, secondStarted], [1, 1, false], 'the second background task waits with a slot free')
  let personStarted = false
  const person = queue.run(async () => { personStarted = true })
  t.ok(personStarted, 'a person\'s command takes the free slot at once')
  await person
  release()
  await Promise.all([first, second])
  t.ok(secondStarted)
})

t.test('background work waits while a request is in progress, and starts once it is done', async t => {
  const queue = new Queue(4)
  const release = queue.hold()
  let ran = false
  const background = queue.run(async () => { ran = true }, 0, BACKGROUND)
  await queue.run(async () => {})
  t.same([ran, queue.waiting], [false, 1], 'slots free, yet it waits')
  release()
  await background
  t.ok(ran)
})

t.test('a new upload\'s variants start while requests are in progress, after their commands, never in the last slot', async t => {
  const queue = new Queue(2)
  const release = queue.hold()
  let release1: () => void = () => {}
  const gate = new Promise<void>(resolve => { release1 = resolve })
  const started: string[] = []
  const background = queue.run(async () => { started.push('background') }, 0, BACKGROUND)
  const first = queue.run(async () => { started.push('following 1'); await gate }, 0, FOLLOWING)
  const second = queue.run(async () => { started.push('following 2') }, 0, FOLLOWING)
  t.same([started, queue.running, queue.waiting], [['following 1'], 1, 2], 'held: the background waits, one following runs, the second not in the last slot')
  await queue.run(async () => { started.push('person') })
  release1()
  await Promise.all([first, second])
  t.same(started, ['following 1', 'person', 'following 2'])
  release()
  await background
  t.same(started.at(-1), 'background', 'background work once no request is in progress')
})
