import type { Config } from '../config/config.js'
import type { TempFolder } from '../storage/temp-folder.js'
import { Imaging, type ImagingTimings } from './imaging.js'
import type { RunReport } from './run.js'

// A 24 MP photo takes a few seconds; a run that takes a minute is stuck, not busy.
const RUN_TIMEOUT_MS = 60_000

/** The Imaging the config describes, its scratch folders in `temp`: for the service and the operator commands. */
export function createImaging (config: Config, temp: TempFolder, overrides: { concurrency?: number, timings?: ImagingTimings, report?: RunReport } = {}): Imaging {
  return new Imaging({
    resizing: config.resizing,
    concurrency: overrides.concurrency ?? config.imagingConcurrency,
    memoryBudget: config.imagingMemory,
    timeoutMs: RUN_TIMEOUT_MS,
    scratch: async () => await temp.workspace(),
    timings: overrides.timings,
    report: overrides.report
  })
}
