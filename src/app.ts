import { randomUUID } from 'node:crypto'
import cors from '@fastify/cors'
import formbody from '@fastify/formbody'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyPluginCallback, type FastifyRequest } from 'fastify'
import type { Config } from './config/config.js'
import { errorHandler } from './http/error-handler.js'
import { buildInfo, type BuildInfo } from './build/version.js'
import auth from './plugins/auth.js'
import documentation from './plugins/documentation.js'
import images from './plugins/images.js'
import imaging from './plugins/imaging.js'
import metrics from './plugins/metrics.js'
import notFound from './plugins/not-found.js'
import readiness from './plugins/readiness.js'
import shutdown from './plugins/shutdown.js'
import storage from './plugins/storage.js'
import timeouts from './plugins/timeouts.js'
import ping from './routes/ping.js'
import protectedRoutes from './routes/protected.js'
import ready from './routes/ready.js'
import { ANSWER_SCHEMAS } from './routes/schemas.js'
import upload from './routes/upload.js'

// A plugin of either kind, listed with its options as app.register takes them.
type Plugin = FastifyPluginAsync<any> | FastifyPluginCallback<any>

// A caller's X-Request-Id is kept when it is a plain token; anything else gets one of ours.
const REQUEST_ID = /^[\w.:@-]{1,128}$/

/** The whole service, not listening: server.ts listens, tests inject. */
export async function buildApp (config: Config, build: BuildInfo = buildInfo()): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: config.logLevel, redact: ['req.headers.authorization'], serializers: { req: requestForLog } },
    genReqId: request => {
      const given = request.headers['x-request-id']
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID()
    },
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.bodyIdleTimeoutMs,
    keepAliveTimeout: config.connectionTimeoutMs,
    // Node enforces requestTimeout only when the server is created with it; it looks for requests
    // past it every connectionsCheckingInterval (by default every 30 s).
    http: { requestTimeout: config.requestTimeoutMs, connectionsCheckingInterval: Math.min(30_000, Math.max(100, config.requestTimeoutMs / 4)) },
    // The shutdown plugin answers instead, with the older service's message.
    return503OnClosing: false,
    // A field of the wrong type is a 400, never turned into the right one; every bad field is
    // named (bodies are a few fields, under 64 KiB).
    ajv: { customOptions: { coerceTypes: false, allErrors: true } }
  }).withTypeProvider<TypeBoxTypeProvider>()
  for (const schema of ANSWER_SCHEMAS) app.addSchema(schema)
  app.setErrorHandler(errorHandler)
  app.addHook('onSend', async (request, reply) => { void reply.header('x-request-id', request.id) })

  // In order: what a plugin uses is registered before it; the routes come last.
  const plugins: Array<[plugin: Plugin, options?: object]> = [
    [cors, {
      origin: config.allowedOrigins.includes('*') ? '*' : config.allowedOrigins,
      methods: 'GET,POST',
      // The older service's list, exactly: browsers of the site send no X-Request-Id (servers do, without a preflight).
      allowedHeaders: 'Origin,Content-Type,Accept,Authorization',
      exposedHeaders: 'X-Request-Id',
      maxAge: 1728000
    }],
    [shutdown],
    [notFound],
    [timeouts],
    [formbody],
    [metrics, { config, build }],
    [storage, { config }],
    [readiness],
    [imaging, { config }],
    [images, { config }],
    [auth, { secret: config.apiSecretKey }],
    ...(config.documentation ? [[documentation, { version: build.version }] as [Plugin, object]] : []),
    [ping],
    [ready],
    [upload, { maxUploadSize: config.maxUploadSize }],
    [protectedRoutes, { suffixes: config.resizing.map(rule => rule.suffix) }]
  ]
  for (const [plugin, pluginOptions] of plugins) await app.register(plugin, pluginOptions)
  return app
}

/** A request as logged: a `secret` in its query string is never written out. */
function requestForLog (request: FastifyRequest): Record<string, unknown> {
  return { method: request.method, url: request.url.replace(/([?&]secret=)[^&]*/gi, '$1[Redacted]'), host: request.host, remoteAddress: request.ip }
}
