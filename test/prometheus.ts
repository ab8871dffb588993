import { spawnSync } from 'node:child_process'
import type { FastifyInstance } from 'fastify'

/** The Prometheus text a scrape of the app's metrics server gets. */
export async function scrape (app: FastifyInstance): Promise<{ status: number, text: string }> {
  const { port } = app.metricsServer?.server.address() as { port: number }
  const response = await fetch(`http://127.0.0.1:${port}/metrics`)
  return { status: response.status, text: await response.text() }
}

/** The value of one sample line, e.g. `uploaded_images{format="png"}`, from the app's registry. */
export async function sample (app: FastifyInstance, name: string): Promise<number | undefined> {
  return sampleIn(await app.serviceMetrics.registry.metrics(), name)
}

export function sampleIn (text: string, name: string): number | undefined {
  const line = text.split('\n').find(row => row.startsWith(name + ' '))
  return line === undefined ? undefined : Number(line.slice(name.length + 1))
}

/** `promtool check metrics` (Prometheus's own parser and linter) on `text`: its exit code and each problem it names. */
export function promtool (text: string): { code: number | null, problems: string[] } {
  const { status, stdout, stderr } = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' })
  return { code: status, problems: `${stdout}${stderr}`.split('\n').filter(line => line.trim() !== '') }
}
