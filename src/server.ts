import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.js'
import { ConfigError, DEVELOPMENT_SECRET, loadConfig, type Config } from './config.js'

function readConfig (): Config {
  try {
    return loadConfig(process.env)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    console.error(`Configuration error: ${error.message}`)
    process.exit(1)
  }
}

const config = readConfig()
const app = await buildApp(config)
app.log.info({ incoming: config.incomingFolder, active: config.activeFolder, temp: config.tempFolder }, `storage: ${config.storageBackend} folders`)
if (config.apiSecretKey === DEVELOPMENT_SECRET) app.log.warn("API_SECRET_KEY is unset: the protected routes take the development secret from the README")

// On SIGTERM/SIGINT: stop accepting, let requests in flight finish, then exit.
closeWithGrace({ delay: 30_000 }, async ({ signal, err }) => {
  if (err !== undefined) app.log.error({ err }, 'closing after an error')
  else app.log.info(`${String(signal)} received, closing`)
  await app.close()
})

await app.listen({ host: '0.0.0.0', port: config.servicePort })
