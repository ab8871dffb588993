import cors from '@fastify/cors'
import formbody from '@fastify/formbody'
import multipart from '@fastify/multipart'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyInstance } from 'fastify'
import type { Config } from './config.js'
import { errorHandler } from './error-handler.js'
import { serviceVersion } from './version.js'
import auth from './plugins/auth.js'
import documentation from './plugins/documentation.js'
import images from './plugins/images.js'
import imaging from './plugins/imaging.js'
import metrics from './plugins/metrics.js'
import shutdown from './plugins/shutdown.js'
import storage from './plugins/storage.js'
import deleteRoute from './routes/delete.js'
import ping from './routes/ping.js'
import publish from './routes/publish.js'
import ready from './routes/ready.js'
import readiness from './plugins/readiness.js'
import rotate from './routes/rotate.js'
import upload from './routes/upload.js'

// A secret and at most 100 keys of about 30 bytes each fit many times over.
const PROTECTED_BODY_LIMIT = 64 * 1024

/** The whole service, not listening: server.ts listens, tests inject. */
export async function buildApp (config: Config, options = { version: serviceVersion() }): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: config.logLevel, redact: ['req.headers.authorization'] },
    // The shutdown plugin answers instead, with the older service's message.
    return503OnClosing: false,
    // A field of the wrong type is a 400, never turned into the right one.
    ajv: { customOptions: { coerceTypes: false } }
  }).withTypeProvider<TypeBoxTypeProvider>()
  app.setErrorHandler(errorHandler)
  app.setNotFoundHandler(async (_request, reply) => await reply.code(404).send({ success: false, message: 'Not found.' }))

  await app.register(cors, {
    origin: config.allowedOrigins.includes('*') ? '*' : config.allowedOrigins,
    methods: 'GET,POST',
    allowedHeaders: 'Origin,Content-Type,Accept,Authorization',
    maxAge: 1728000
  })
  await app.register(shutdown)
  await app.register(formbody)
  await app.register(metrics, { config, version: options.version })
  await app.register(storage, { config })
  await app.register(readiness)
  await app.register(imaging, { config })
  await app.register(images, { config })
  await app.register(auth, { secret: config.apiSecretKey })

  if (config.documentation) await app.register(documentation, { version: options.version })
  await app.register(ping)
  await app.register(ready)
  await app.register(async scope => {
    // Streamed to a temp file, one file a request, never buffered.
    await scope.register(multipart, { limits: { fileSize: config.maxUploadSize, files: 1, fields: 10 } })
    await scope.register(upload, { maxUploadSize: config.maxUploadSize })
  })
  await app.register(async scope => {
    // The protected routes take their few fields as multipart too, as the older service did; no files.
    await scope.register(multipart, { attachFieldsToBody: 'keyValues', limits: { files: 0, fields: 200, fieldSize: 1024 } })
    scope.addHook('onRoute', route => { route.bodyLimit = PROTECTED_BODY_LIMIT })
    // JSON, forms and multipart only: plain text is an unsupported type here (415).
    scope.removeContentTypeParser('text/plain')
    await scope.register(publish)
    await scope.register(deleteRoute, { suffixes: config.resizing.map(rule => rule.suffix) })
    await scope.register(rotate)
  })
  return app
}
