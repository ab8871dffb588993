import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'

const SERVER = join(import.meta.dirname, '..', 'src', 'server.ts')

/** Starts src/server.ts as operators do, with tap's TypeScript loader, and collects its output. */
export function start (env: Record<string, string>): { child: ChildProcess, output: () => string } {
  const child = spawn(process.execPath, [...process.execArgv, SERVER], { env: { PATH: process.env.PATH, ...env } })
  let output = ''
  child.stdout?.on('data', chunk => { output += String(chunk) })
  child.stderr?.on('data', chunk => { output += String(chunk) })
  return { child, output: () => output }
}

export async function waitFor (condition: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}
