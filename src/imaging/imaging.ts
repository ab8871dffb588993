import type { Format } from '../keys.js'
import type { ResizeRule } from '../resizing.js'
import { detectFormat } from './detect-format.js'
import { autoOrientJpeg, rotateImage, type Rotation } from './orientation.js'
import { Queue } from './queue.js'
import { createRunner, type Runner } from './run.js'
import { makeThumbnails, type Source, type Thumbnail } from './thumbnails.js'

export interface ImagingOptions {
  resizing: ResizeRule[]
  concurrency: number
  /** How long one ImageMagick, rsvg-convert or JPEG-tool run may take. */
  timeoutMs: number
}

/** Every image operation the service does, all through one bounded queue of child processes. */
export class Imaging {
  readonly queue: Queue
  private readonly run: Runner

  constructor (readonly options: ImagingOptions) {
    this.queue = new Queue(options.concurrency)
    this.run = createRunner(this.queue, options.timeoutMs)
  }

  async detect (path: string): Promise<Format | undefined> {
    return await detectFormat(path, this.run)
  }

  async thumbnails (source: Source, key: string, outDir: string): Promise<Thumbnail[]> {
    return await makeThumbnails(source, key, this.options.resizing, outDir, this.run)
  }

  async autoOrient (jpegPath: string): Promise<boolean> {
    return await autoOrientJpeg(jpegPath, this.run)
  }

  async rotate (path: string, format: Exclude<Format, 'svg'>, rotation: Rotation): Promise<void> {
    await rotateImage(path, format, rotation, this.run)
  }
}
