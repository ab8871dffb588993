import Fastify, { type FastifyRequest } from 'fastify'
import metricsModule from 'fastify-metrics'
import fp from 'fastify-plugin'
import client, { Gauge, Registry } from 'prom-client'
import type { Config } from '../config/config.js'
import { clientGone } from '../http/error-handler.js'
import { Busy, StorageUnavailable } from '../errors.js'
import { CommandInterrupted } from '../imaging/run.js'
import { createServiceMetrics, type ServiceMetrics } from './service-metrics.js'
import type { BuildInfo } from '../build/version.js'

declare module 'fastify' {
  interface FastifyInstance {
    serviceMetrics: ServiceMetrics
    /** The server that serves the registry on METRICS_PORT, when metrics are on. */
    metricsServer?: FastifyInstance
  }
}

// fastify-metrics is CommonJS with `exports.default`: from ESM, the plugin is one level down.
const fastifyMetrics = metricsModule.default

/** Why a request got 503, from the error that made it; a 503 without one is the shutdown's. */
function rejection (error: Error): string | undefined {
  if (error instanceof Busy) return error.reason
  if (error instanceof CommandInterrupted) return 'image_program_stopped'
  if (error instanceof StorageUnavailable) return 'storage_unavailable'
  return undefined
}

/**
 * The service's metrics, in a registry of this app's own (so several apps can live in one
 * process, as in the tests), served by a second small server, never on the service port.
 */
export default fp<{ config: Config, build: BuildInfo }>(async (app, { config, build }) => {
  const registry = new Registry()
  const registers = [registry]
  const metrics = createServiceMetrics(registry)
  new Gauge({ name: 'service_info', help: 'Always 1; the labels say what runs', labelNames: ['version', 'commit', 'node_version', 'env'], registers })
    .set({ version: build.version, commit: build.commit, node_version: process.version, env: config.production ? 'production' : 'development' }, 1)
  // The plugins registered after this one add their own gauges to `registry` (serviceMetrics.registry).
  const rejections = new WeakMap<FastifyRequest, string>()
  app.addHook('onError', async (request, _reply, error) => {
    if (clientGone(request)) return
    metrics.errorCounter.inc()
    const reason = rejection(error)
    if (reason !== undefined) rejections.set(request, reason)
  })
  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode !== 503 || request.routeOptions.url === '/ready') return
    metrics.rejectedRequests.inc({ route: request.routeOptions.url ?? 'none', reason: rejections.get(request) ?? 'shutting_down' })
  })
  app.decorate('serviceMetrics', metrics)

  if (config.metrics === undefined) return
  await app.register(fastifyMetrics, {
    endpoint: null,
    promClient: client,
    defaultMetrics: { enabled: true, register: registry },
    // A histogram only: a summary's quantiles cannot be added up across instances. (The plugin
    // makes its summary anyway; in no registry, it is never shown.)
    routeMetrics: { enabled: { histogram: true, summary: false }, overrides: { histogram: { registers }, summary: { registers: [] } } }
  })
  const server = Fastify({ logger: false })
  server.get(config.metrics.path, async (_request, reply) => await reply.type(registry.contentType).send(await registry.metrics()))
  app.decorate('metricsServer', server)
  const { port, host } = config.metrics
  app.addHook('onReady', async () => { await server.listen({ port, host }) })
  app.addHook('onClose', async () => { await server.close() })
}, { name: 'metrics' })
