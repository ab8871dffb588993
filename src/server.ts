import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.js'
import { DEVELOPMENT_SECRET, loadConfigOrReport } from './config/config.js'

const config = loadConfigOrReport(process.env) ?? process.exit(1)
const app = await buildApp(config)
const where = config.s3 === undefined
  ? { incoming: config.incomingFolder, active: config.activeFolder }
  : { incoming: `${config.s3.incoming.endpoint} ${config.s3.incoming.bucket}`, active: `${config.s3.active.endpoint} ${config.s3.active.bucket}` }
app.log.info({ ...where, temp: config.tempFolder }, `storage: ${config.storageBackend}`)
if (config.apiSecretKey === DEVELOPMENT_SECRET) app.log.warn('API_SECRET_KEY is unset: the protected routes take the development secret from the README')

// On SIGTERM/SIGINT: stop accepting, let requests in flight finish, then exit.
closeWithGrace({ delay: 30_000 }, async ({ signal, err }) => {
  if (err !== undefined) app.log.error({ err }, 'closing after an error')
  else app.log.info(`${String(signal)} received, closing`)
  await app.close()
})

// The first readiness check, before listening: it runs the programs once, and says at once what is missing.
const missing = await app.notReady()
if (missing.length > 0) app.log.warn(`not ready: ${missing.join(', ')} did not answer`)
await app.listen({ host: config.host, port: config.servicePort })
