import { execFile } from 'node:child_process'
import type { Test } from 'tap'

export interface Ran {
  code: number
  stdout: string
  stderr: string
}

/** Runs a program to its end (never throws for its exit code): what it printed, and how it ended. */
export async function run (program: string, args: string[], env = process.env): Promise<Ran> {
  return await new Promise(resolve => {
    execFile(program, args, { env, timeout: 600_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1
      resolve({ code, stdout, stderr })
    })
  })
}

/** podman, on the check's own containers.conf (CONTAINERS_CONF, set by test/image/check.sh). */
export const podman = async (...args: string[]): Promise<Ran> => await run('podman', args)

/** The host and port a container's port is published on: `127.0.0.1:41234`. */
export async function published (container: string, port: number): Promise<string> {
  const { stdout } = await podman('port', container, `${port}/tcp`)
  return stdout.trim().split('\n')[0]
}

/** Sums up a run for an assertion's message. */
export const said = ({ code, stdout, stderr }: Ran): string => `exit ${code}\n${stdout}\n${stderr}`.slice(-4000)

/** Asserts that a run exited 0, naming it; its output goes with the assertion only when it did not. */
export function succeeded (t: Test, ran: Ran, what: string): void {
  t.equal(ran.code, 0, what, ran.code === 0 ? {} : { output: said(ran) })
}
