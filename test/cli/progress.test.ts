import t from 'tap'
import { progress } from '../../src/cli/progress.js'
import { captured } from '../io.js'
import { until } from '../until.js'

t.test('on a terminal: a bar with done/total, rate, ETA and failures', async t => {
  const terminal = captured(true)
  const bar = progress(4, terminal.stream)
  bar.tick(false)
  bar.tick(true)
  bar.stop()
  t.match(terminal.text(), /[█░]+ 2\/4 images \| [\d.]+\/s \| ETA \S+ \| 1 failed/)
})

t.test('elsewhere: a plain line every so often, and one at the end', async t => {
  const log = captured(false)
  const lines = progress(3, log.stream, 30)
  lines.tick(false)
  await until(() => log.text() !== '', 'a first line of progress')
  t.match(log.text(), /^1\/3 images, [\d.]+\/s, ETA \d+ s, 0 failed\n/, 'the timer writes a line of its own')
  lines.tick(false)
  lines.tick(true)
  lines.stop()
  t.match(log.text(), /3\/3 images, [\d.]+\/s, ETA 0 s, 1 failed\n$/)
  t.notMatch(log.text(), /[█░]/)
})
