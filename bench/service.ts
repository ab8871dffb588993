import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { freePort } from '../test/server-process.js'

export interface RunningService {
  child: ChildProcess
  url: string
  incoming: string
  active: string
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
    active: join(dir, 'active'),
    stop: async () => {
      child.kill('SIGTERM')
      await once(child, 'exit')
    }
  }
}

// Each file's multipart body, built once: the clients run on the service's own cores here, so
// they should spend as little of them as a browser on another machine would.
const bodies = new Map<string, Blob>()
export const BOUNDARY = '----bench-boundary-7f3a'

export function multipartBody (path: string): Blob {
  let body = bodies.get(path)
  if (body === undefined) {
    const head = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="photo.jpg"\r\nContent-Type: application/octet-stream\r\n\r\n`
    body = new Blob([head, readFileSync(path), `\r\n--${BOUNDARY}--\r\n`])
    bodies.set(path, body)
  }
  return body
}

/** Uploads a file as the browser does; returns the key and the seconds it took. */
export async function upload (service: RunningService, path: string): Promise<{ key: string, seconds: number }> {
  const body = multipartBody(path)
  const started = performance.now()
  const response = await fetch(`${service.url}/upload`, { method: 'POST', body, headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` } })
  // A success is JSON, an error its message as plain text.
  const answer = await response.text()
  if (!response.ok) throw new Error(`upload failed: ${response.status} ${answer}`)
  return { key: (JSON.parse(answer) as { filename: string }).filename, seconds: (performance.now() - started) / 1000 }
}
