import t from 'tap'
import { Queue } from '../../src/imaging/queue.js'

t.test('never more than `concurrency` tasks at once, taken in arrival order', async t => {
  const queue = new Queue(2)
  let running = 0
  let most = 0
  const started: number[] = []
  const task = (id: number) => async () => {
    started.push(id)
    running++
    most = Math.max(most, running)
    await new Promise(resolve => setTimeout(resolve, 5))
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
