import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'

const DIST = join(import.meta.dirname, '..', 'dist')
// Far above what a linear pass over these inputs takes on the busiest machine, and far below
// what a backtracking one does (minutes to hours): the budget tells the two apart, not a speed.
export const BUDGET_MS = 20_000

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
const args = workerData.args.map(arg => arg instanceof Uint8Array ? Buffer.from(arg) : arg)
import(workerData.module).then(async module => parentPort.postMessage(await module[workerData.name](...args)))
`

/**
 * Calls the compiled `name` of `module` (a path under dist/) with `args` in a worker thread, so
 * that a call that never ends cannot hold the test's own loop: its answer, or 'over budget'.
 */
export async function withinBudget (module: string, name: string, ...args: unknown[]): Promise<unknown> {
  const worker = new Worker(WORKER, { eval: true, workerData: { module: pathToFileURL(join(DIST, module)).href, name, args } })
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      new Promise((resolve, reject) => { worker.once('message', resolve).once('error', reject) }),
      new Promise(resolve => { timer = setTimeout(() => resolve('over budget'), BUDGET_MS) })
    ])
  } finally {
    clearTimeout(timer)
    await worker.terminate()
  }
}
