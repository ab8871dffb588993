import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { freePort } from '../test/server-process.js'

export interface RunningService {
  child: ChildProcess
  url: string
  incoming: string
  stop: () => Promise<void>
}

// `npm run build` writes it; this file runs from dist-bench/bench/.
const SERVER = join(import.meta.dirname, '..', '..', 'dist', 'server.js')

/** Starts the compiled service on loopback, on folders under `dir`, as operators run it. */
export async function startService (dir: string, inherited: Record<string, string | undefined>, env: Record<string, string>): Promise<RunningService> {
  const port = await freePort()
  const child = spawn(process.execPath, [SERVER], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...inherited,
      HOST: '127.0.0.1',
      SERVICE_PORT: String(port),
      TEMP_FOLDER: join(dir, 'temp'),
      INCOMING_FOLDER: join(dir, 'incoming'),
      ACTIVE_FOLDER: join(dir, 'active'),
      API_SECRET_KEY: 'bench',
      DISABLE_PROMETHEUS_METRICS: '1',
      LOG_LEVEL: 'warn',
      ...env
    }
  })
  const url = `http://127.0.0.1:${port}`
  for (let tries = 0; ; tries++) {
    const up = await fetch(`${url}/ping`).then(response => response.ok, () => false)
    if (up) break
    if (tries > 200) throw new Error('the service did not start')
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  return {
    child,
    url,
    incoming: join(dir, 'incoming'),
    stop: async () => {
      child.kill('SIGTERM')
      await once(child, 'exit')
    }
  }
}

/** Uploads a file as the browser does; returns the key and the seconds it took. */
export async function upload (service: RunningService, path: string): Promise<{ key: string, seconds: number }> {
  const form = new FormData()
  form.append('file', new Blob([readFileSync(path)]), 'photo.jpg')
  const started = performance.now()
  const response = await fetch(`${service.url}/upload`, { method: 'POST', body: form })
  const body = await response.json() as { filename?: string, message?: string }
  if (!response.ok || body.filename === undefined) throw new Error(`upload failed: ${response.status} ${body.message ?? ''}`)
  return { key: body.filename, seconds: (performance.now() - started) / 1000 }
}
