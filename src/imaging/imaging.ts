import type { ConvertedFormat, ExtraFormat, Format } from '../formats.js'
import type { ResizeRule } from '../config/resizing.js'
import { detectFormat } from './detect-format.js'
import type { DetectedImage } from './detected-image.js'
import { writableExtraFormats } from './formats.js'
import { autoOrientJpeg, rotateImage, type Rotation } from './orientation.js'
import { Queue, type Lane } from './queue.js'
import { createRunner, type Operation, type RunReport, type Runner, type Scratch } from './run.js'
import { storableOriginal } from './storable.js'
import type { Source } from './source.js'
import { makeThumbnails, type Thumbnail, type ThumbnailTimer } from './thumbnails.js'

/** Where the imaging steps report how long they took (the metrics plugin listens). */
export interface ImagingTimings {
  thumbnail: ThumbnailTimer
  rotation: (seconds: number) => void
  autoOrient: (seconds: number) => void
}

export interface ImagingOptions {
  resizing: ResizeRule[]
  concurrency: number
  /** Bytes the running commands may take together (a larger one runs alone); default unbounded. */
  memoryBudget?: number
  /** How long one ImageMagick, rsvg-convert or JPEG-tool run may take. */
  timeoutMs: number
  /** A fresh folder for each run's MAGICK_TMPDIR. */
  scratch: Scratch
  timings?: ImagingTimings
  /** Told about every command run: how long, how it ended, what it said on standard error. */
  report?: RunReport
}

/** Every image operation the service does, all through one bounded queue of child processes. */
export class Imaging {
  readonly queue: Queue
  private readonly run: Runner

  constructor (readonly options: ImagingOptions, shared?: { queue: Queue, lane: Lane }) {
    this.queue = shared?.queue ?? new Queue(options.concurrency, options.memoryBudget)
    const run = createRunner(this.queue, options.timeoutMs, options.scratch, options.report)
    this.run = shared === undefined ? run : async (command, args, runOptions) => await run(command, args, { ...runOptions, lane: shared.lane })
  }

  /** The same imaging and queue, its commands in `lane`. */
  in (lane: Lane): Imaging {
    return new Imaging(this.options, { queue: this.queue, lane })
  }

  async detect (path: string): Promise<DetectedImage | undefined> {
    return await detectFormat(path, this.for('check'))
  }

  /** The JPEG (or PNG) original to store for an uploaded HEIC, AVIF or WebP, written into `outDir`. */
  async storable (image: DetectedImage & { format: ConvertedFormat }, path: string, outDir: string): Promise<{ path: string, format: Format }> {
    return await storableOriginal(image, path, outDir, this.for('convert', image.format))
  }

  async writableExtraFormats (): Promise<ExtraFormat[]> {
    return await writableExtraFormats(this.for('probe'))
  }

  /** The base thumbnails of `key`, or with `as` the WebP and/or AVIF ones. */
  async thumbnails (source: Source, key: string, outDir: string, as?: ExtraFormat[]): Promise<Thumbnail[]> {
    const run = as === undefined ? this.for('thumbnails', source.format) : this.for('variants', as.join('+'))
    return await makeThumbnails(source, key, this.options.resizing, outDir, run, { as, timer: this.options.timings?.thumbnail })
  }

  async autoOrient (jpegPath: string): Promise<boolean> {
    return await timed(this.options.timings?.autoOrient, async () => await autoOrientJpeg(jpegPath, this.for('orient', 'jpg')))
  }

  async rotate (path: string, format: Exclude<Format, 'svg'>, rotation: Rotation): Promise<void> {
    await timed(this.options.timings?.rotation, async () => await rotateImage(path, format, rotation, this.for('rotate', format)))
  }

  /** The runner, its commands counted under `operation` and `format` (a command may name its own format). */
  private for (operation: Operation, format?: string): Runner {
    return async (command, args, runOptions) => await this.run(command, args, { operation, format, ...runOptions })
  }
}

async function timed<T> (report: ((seconds: number) => void) | undefined, task: () => Promise<T>): Promise<T> {
  const started = process.hrtime.bigint()
  const result = await task()
  report?.(Number(process.hrtime.bigint() - started) / 1e9)
  return result
}
