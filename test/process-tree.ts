import { readdirSync, readFileSync } from 'node:fs'

// Linux /proc: the figures the benchmark reads about a process and its descendants.
const TICKS_PER_SECOND = 100

function stat (pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may hold spaces: split after its closing parenthesis.
    return text.slice(text.lastIndexOf(')') + 2).split(' ')
  } catch {
    return undefined
  }
}

/** `pid` and every process below it, now. */
export function processTree (pid: number): number[] {
  const parents = new Map<number, number>()
  for (const name of readdirSync('/proc')) {
    const child = Number(name)
    const fields = Number.isInteger(child) ? stat(child) : undefined
    if (fields !== undefined) parents.set(child, Number(fields[1]))
  }
  const tree = [pid]
  for (let i = 0; i < tree.length; i++) {
    for (const [child, parent] of parents) if (parent === tree[i]) tree.push(child)
  }
  return tree
}

/** Resident memory of the whole tree, in bytes. */
export function treeRss (pid: number): number {
  return processTree(pid).reduce((sum, member) => {
    const status = (() => { try { return readFileSync(`/proc/${member}/status`, 'utf8') } catch { return '' } })()
    const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1]
    return sum + Number(kb ?? 0) * 1024
  }, 0)
}

/** CPU seconds used by `pid` itself and by its children that have exited. */
export function cpuSeconds (pid: number | 'self'): number {
  const fields = stat(pid === 'self' ? process.pid : pid) ?? []
  // utime, stime, cutime, cstime: fields 14-17 of stat, 11-14 after the name.
  return fields.slice(11, 15).reduce((sum, ticks) => sum + Number(ticks), 0) / TICKS_PER_SECOND
}

/** Samples the tree's memory every 25 ms until stopped; returns the peak. */
export function peakRss (pid: number): () => number {
  let peak = treeRss(pid)
  const timer = setInterval(() => { peak = Math.max(peak, treeRss(pid)) }, 25)
  return () => {
    clearInterval(timer)
    return Math.max(peak, treeRss(pid))
  }
}
