import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { until } from './until.js'

const ROOT = join(import.meta.dirname, '..')

/**
 * What a child takes from this test process: the PATH, and tap's loader settings, above all
 * TS_NODE_TRANSPILE_ONLY (without it every child type-checks the whole project before it starts).
 * Nothing else, so the service's own variables come only from the test.
 */
function inherited (): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => name === 'PATH' || /^(TS_NODE_|_TAPJS_PROCESSINFO_)/.test(name)))
}

/** Everything the child writes, both streams, as it comes. */
function collect (child: ChildProcess): () => string {
  let output = ''
  child.stdout?.on('data', chunk => { output += String(chunk) })
  child.stderr?.on('data', chunk => { output += String(chunk) })
  return () => output
}

export interface ServerProcess {
  child: ChildProcess
  output: () => string
}

/** Starts src/server.ts as operators do, with tap's TypeScript loader, and collects its output. */
export function start (env: Record<string, string>): ServerProcess {
  const child = spawn(process.execPath, [...process.execArgv, join(ROOT, 'src', 'server.ts')], { env: { ...inherited(), ...env } })
  return { child, output: collect(child) }
}

/** Waits for the server's "listening" log line; throws with its output if it exits first. */
export async function listening ({ child, output }: ServerProcess): Promise<void> {
  await until(() => {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${output()}`)
    return output().includes('Server listening')
  }, 'the server\'s "listening" line')
}

/** Starts a compiled program of `dist/` with only `env` (and PATH), as an operator would, and collects its output. */
export function startCompiled (program: string, env: Record<string, string>, ...args: string[]): ServerProcess {
  const child = spawn(process.execPath, [join(ROOT, 'dist', program), ...args], { env: { PATH: process.env.PATH, ...env } })
  return { child, output: collect(child) }
}

/** Waits for a started program to end (call it before the program can have ended: right after a signal): its exit code and whole output. */
export async function ended ({ child, output }: ServerProcess): Promise<{ code: number, output: string }> {
  // 'close', not 'exit': the output is whole only once both streams have ended.
  const [code] = await once(child, 'close')
  return { code, output: output() }
}

/** Runs a compiled program of `dist/` to its end: its exit code and output. */
export async function runCompiled (program: string, env: Record<string, string>, ...args: string[]): Promise<{ code: number, output: string }> {
  return await ended(startCompiled(program, env, ...args))
}

/** A port nothing listens on now, on loopback. */
export async function freePort (): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  return port
}
