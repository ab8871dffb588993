import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import t from 'tap'
import { DEVELOPMENT_SECRET, loadConfig } from '../src/config/config.js'
import { DEFAULT_RESIZING } from '../src/config/resizing.js'

t.test('with nothing set, development serves on local folders under ./data', async t => {
  const config = loadConfig({})
  t.equal(config.production, false)
  t.equal(config.storageBackend, 'local')
  t.equal(config.incomingFolder, resolve('data/incoming'))
  t.equal(config.activeFolder, resolve('data/active'))
  t.equal(config.tempFolder, join(tmpdir(), 'images', 'temp'))
  t.equal(config.apiSecretKey, DEVELOPMENT_SECRET)
  t.same(config.resizing, DEFAULT_RESIZING)
  t.equal(config.autoOrientOriginal, false)
  t.same(config.allowedOrigins, ['*'])
  t.equal(config.servicePort, 8080)
  t.equal(config.maxUploadSize, 50 * 1024 * 1024)
  t.equal(config.generateWebp, false)
  t.equal(config.generateAvif, false)
  t.equal(config.thumbnailsPublishDelayMs, 20000)
  t.same(config.metrics, { port: 8081, host: '0.0.0.0', path: '/metrics' })
  t.equal(config.host, '0.0.0.0')
  t.equal(config.imagingMemory, 256 * 1024 * 1024)
})

t.test('variants, metrics and the listening address', async t => {
  const config = loadConfig({ GENERATE_WEBP: 'true', GENERATE_AVIF: 'yes', THUMBNAILS_PUBLISH_DELAY: '0', METRICS_PORT: '9100', METRICS_PATH: '/prom', HOST: '127.0.0.1' })
  t.match(config, { generateWebp: true, generateAvif: true, thumbnailsPublishDelayMs: 0, host: '127.0.0.1' })
  t.same(config.metrics, { port: 9100, host: '127.0.0.1', path: '/prom' })
  t.equal(loadConfig({ DISABLE_PROMETHEUS_METRICS: '1' }).metrics, undefined)
})

t.test('every variable is read', async t => {
  const config = loadConfig({
    NODE_ENV: 'production',
    STORAGE_BACKEND: 'local',
    TEMP_FOLDER: '/srv/t',
    INCOMING_FOLDER: '/srv/in',
    ACTIVE_FOLDER: '/srv/act',
    API_SECRET_KEY: 's3cr3t',
    RESIZING_CONFIG: '[{"suffix":"XL","convert":["-resize","10x10"]}]',
    AUTO_ORIENT_ORIGINAL: 'yes',
    ALLOWED_ORIGINS: 'https://a.example, https://b.example',
    SERVICE_PORT: '9000',
    MAX_UPLOAD_SIZE: '1000',
    IMAGING_CONCURRENCY: '3',
    IMAGING_MEMORY: '512',
    LOG_LEVEL: 'warn'
  })
  t.match(config, {
    production: true,
    tempFolder: '/srv/t',
    incomingFolder: '/srv/in',
    activeFolder: '/srv/act',
    apiSecretKey: 's3cr3t',
    resizing: [{ suffix: 'XL', convert: ['-resize', '10x10'] }],
    autoOrientOriginal: true,
    allowedOrigins: ['https://a.example', 'https://b.example'],
    servicePort: 9000,
    maxUploadSize: 1000,
    imagingConcurrency: 3,
    imagingMemory: 512 * 1024 * 1024,
    logLevel: 'warn'
  })
})

const S3 = {
  STORAGE_BACKEND: 's3',
  INCOMING_BUCKET: 'images-incoming',
  INCOMING_PREFIX: 'SOS',
  ACTIVE_BUCKET: 'images-active',
  ACTIVE_PREFIX: 'SOS',
  SOS_ENDPOINT: 'https://sos-ch-gva-2.exo.io',
  SOS_ACCESS_KEY_ID: 'EXO123',
  SOS_SECRET_KEY: 'shh'
}

t.test('STORAGE_BACKEND=s3 reads each bucket and the connection its prefix names', async t => {
  const config = loadConfig({ ...S3, ACTIVE_PREFIX: 'AWS', AWS_ENDPOINT: 'http://127.0.0.1:9000', AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_KEY: 'b', AWS_DEFAULT_REGION: 'eu-west-1' })
  t.equal(config.storageBackend, 's3')
  t.equal(config.cacheControl, 'public, max-age=3600')
  t.same(config.s3, {
    incoming: { bucket: 'images-incoming', endpoint: 'https://sos-ch-gva-2.exo.io', accessKeyId: 'EXO123', secretAccessKey: 'shh', region: 'us-east-1' },
    active: { bucket: 'images-active', endpoint: 'http://127.0.0.1:9000', accessKeyId: 'a', secretAccessKey: 'b', region: 'eu-west-1' }
  })
  t.equal(loadConfig({}).s3, undefined)
})

t.test('booleans take 1/0/true/false/yes/no', async t => {
  for (const [value, expected] of [['1', true], ['true', true], ['yes', true], ['0', false], ['false', false], ['no', false]] as const) {
    t.equal(loadConfig({ AUTO_ORIENT_ORIGINAL: value }).autoOrientOriginal, expected, value)
  }
})

t.test('a bad value stops start-up with a message naming the variable', async t => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ AUTO_ORIENT_ORIGINAL: 'maybe' }, /^AUTO_ORIENT_ORIGINAL must be one of 1, 0/],
    [{ SERVICE_PORT: '70000' }, /^SERVICE_PORT must be a port number/],
    [{ SERVICE_PORT: 'http' }, /^SERVICE_PORT /],
    [{ STORAGE_BACKEND: 'ftp' }, /^STORAGE_BACKEND must be "local" or "s3"/],
    [{ STORAGE_BACKEND: 's3' }, /^INCOMING_BUCKET is required when STORAGE_BACKEND is s3/],
    [{ ...S3, INCOMING_BUCKET: 'Bad_Bucket' }, /^INCOMING_BUCKET must be an S3 bucket name/],
    [{ ...S3, ACTIVE_PREFIX: '9lives' }, /^ACTIVE_PREFIX must be letters/],
    [{ ...S3, ACTIVE_PREFIX: 'OTHER' }, /^OTHER_ENDPOINT is required when STORAGE_BACKEND is s3/],
    [{ ...S3, SOS_ENDPOINT: 'ftp://x' }, /^SOS_ENDPOINT must be an http or https URL/],
    [{ ...S3, SOS_SECRET_KEY: '' }, /^SOS_SECRET_KEY is required/],
    [{ GENERATE_AVIF: 'on' }, /^GENERATE_AVIF must be one of/],
    [{ THUMBNAILS_PUBLISH_DELAY: '2s' }, /^THUMBNAILS_PUBLISH_DELAY must be a number of milliseconds/],
    [{ METRICS_PORT: '99999' }, /^METRICS_PORT must be a port number/],
    [{ METRICS_PATH: 'metrics' }, /^METRICS_PATH must be a path starting with \//],
    [{ CACHE_CONTROL: ' ' }, /^CACHE_CONTROL must be a Cache-Control header value/],
    [{ MAX_UPLOAD_SIZE: '-1' }, /^MAX_UPLOAD_SIZE must be a whole number/],
    [{ IMAGING_CONCURRENCY: '0' }, /^IMAGING_CONCURRENCY /],
    [{ IMAGING_MEMORY: '1.5' }, /^IMAGING_MEMORY must be a whole number/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL /],
    [{ RESIZING_CONFIG: '[{' }, /^RESIZING_CONFIG is not valid JSON/],
    [{ RESIZING_CONFIG: '[{"suffix":"B1","convert":["-thumbnail","9x9"]}]' }, /^RESIZING_CONFIG must be a list/],
    [{ RESIZING_CONFIG: '[]' }, /^RESIZING_CONFIG must be a list/],
    [{ RESIZING_CONFIG: '[{"suffix":"A","convert":["x"]},{"suffix":"A","convert":["y"]}]' }, /^RESIZING_CONFIG has the same suffix twice/],
    [{ NODE_ENV: 'production', API_SECRET_KEY: 'x' }, /^STORAGE_BACKEND is required in production/],
    [{ NODE_ENV: 'production', STORAGE_BACKEND: 'local' }, /^API_SECRET_KEY is required in production/]
  ]
  for (const [env, message] of cases) {
    t.throws(() => loadConfig(env), { name: 'ConfigError', message }, JSON.stringify(env))
  }
})

t.test('empty variables count as unset; values are trimmed', async t => {
  const config = loadConfig({ SERVICE_PORT: '', API_SECRET_KEY: ' k ' })
  t.equal(config.servicePort, 8080)
  t.equal(config.apiSecretKey, 'k')
})
