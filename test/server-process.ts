import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
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

/** Runs `src/cli/<name>.ts` as its npm script does, with tap's TypeScript loader: its exit code and output. */
export async function runCli (name: string, env: Record<string, string>, ...args: string[]): Promise<{ code: number, output: string }> {
  const child = spawn(process.execPath, [...process.execArgv, join(import.meta.dirname, '..', 'src', 'cli', `${name}.ts`), ...args], { env: { PATH: process.env.PATH, ...env } })
  let output = ''
  child.stdout.on('data', chunk => { output += String(chunk) })
  child.stderr.on('data', chunk => { output += String(chunk) })
  const [code] = await once(child, 'exit')
  return { code, output }
}
