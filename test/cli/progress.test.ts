import { setTimeout } from 'node:timers/promises'
import { Writable } from 'node:stream'
import t from 'tap'
import { progress } from '../../src/cli/progress.js'

/** A stream that keeps what is written, as a terminal or as a log file. */
function stream (isTTY: boolean): { out: NodeJS.WriteStream, text: () => string } {
  let text = ''
  const out = new Writable({ write: (chunk, _encoding, done) => { text += String(chunk); done() } })
  Object.assign(out, { isTTY, columns: 100, cursorTo: () => true, clearLine: () => true, moveCursor: () => true })
  return { out: out as unknown as NodeJS.WriteStream, text: () => text }
}

t.test('on a terminal: a bar with done/total, rate, ETA and failures', async t => {
  const terminal = stream(true)
  const bar = progress(4, terminal.out)
  bar.tick(false)
  bar.tick(true)
  bar.stop()
  t.match(terminal.text(), /[█░]+ 2\/4 images \| [\d.]+\/s \| ETA \S+ \| 1 failed/)
})

t.test('elsewhere: a plain line every so often, and one at the end', async t => {
  const log = stream(false)
  const lines = progress(3, log.out, 30)
  lines.tick(false)
  await setTimeout(80)
  t.match(log.text(), /^1\/3 images, [\d.]+\/s, ETA \d+ s, 0 failed\n/)
  lines.tick(false)
  lines.tick(true)
  lines.stop()
  t.match(log.text(), /3\/3 images, [\d.]+\/s, ETA 0 s, 1 failed\n$/)
  t.notMatch(log.text(), /[█░]/)
})
