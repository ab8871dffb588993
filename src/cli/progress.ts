import { Presets, SingleBar } from 'cli-progress'
import type { Io } from './io.js'

export interface Progress {
  tick: (failed: boolean) => void
  stop: () => void
}

/**
 * Done/total, rate, ETA and failures: a bar on a terminal, a plain line every `everyMs`
 * otherwise (logs, CI), and a last line when stopped.
 */
export function progress (total: number, stream: Io['stderr'], everyMs = 10_000): Progress {
  const started = Date.now()
  let done = 0
  let failed = 0
  const rate = (): number => done / Math.max((Date.now() - started) / 1000, 0.001)
  const line = (): string => `${done}/${total} images, ${rate().toFixed(1)}/s, ETA ${Math.round((total - done) / Math.max(rate(), 0.001))} s, ${failed} failed`
  const bar = stream.isTTY === true
    ? new SingleBar({ stream: stream as NodeJS.WriteStream, format: '{bar} {value}/{total} images | {rate}/s | ETA {eta_formatted} | {failed} failed', hideCursor: true }, Presets.shades_classic)
    : undefined
  bar?.start(total, 0, { rate: '0.0', failed })
  const timer = bar === undefined ? setInterval(() => stream.write(`${line()}\n`), everyMs).unref() : undefined
  return {
    tick: isFailure => {
      done++
      if (isFailure) failed++
      bar?.update(done, { rate: rate().toFixed(1), failed })
    },
    stop: () => {
      clearInterval(timer)
      if (bar === undefined) stream.write(`${line()}\n`)
      else bar.stop()
    }
  }
}
