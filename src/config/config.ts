import { availableParallelism, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { Type, type Static, type TString } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { DEFAULT_RESIZING, parseResizing, type ResizeRule } from './resizing.js'
import { readS3Buckets, type S3Buckets } from './s3.js'

export interface Config {
  production: boolean
  storageBackend: 'local' | 's3'
  tempFolder: string
  /** Local backend only. */
  incomingFolder: string
  activeFolder: string
  /** S3 backend only. */
  s3?: S3Buckets
  cacheControl: string
  apiSecretKey: string
  resizing: ResizeRule[]
  autoOrientOriginal: boolean
  generateWebp: boolean
  generateAvif: boolean
  /** How long a publish waits for variants still being made before making them again. */
  thumbnailsPublishDelayMs: number
  /** How long a replica's claim on a key or owed-work marker holds without being written again. */
  workLeaseMs: number
  /** Undefined when DISABLE_PROMETHEUS_METRICS is on. */
  metrics?: { port: number, host: string, path: string }
  /** The address both servers listen on. */
  host: string
  /** `['*']` allows every origin. */
  allowedOrigins: string[]
  servicePort: number
  maxUploadSize: number
  /** Width × height × frames an upload may declare. */
  maxImagePixels: number
  imagingConcurrency: number
  /** Bytes the running image commands may take together, by their own estimates. */
  imagingMemory: number
  /** Uploads and rotates that may wait for their first image command before the next gets 503. */
  imagingQueueLimit: number
  /** The whole request, headers and body, must arrive within this. */
  requestTimeoutMs: number
  /** A connection that sends nothing for this long while its request is still arriving is cut off. */
  bodyIdleTimeoutMs: number
  /** An open connection with no request may wait this long for the next. */
  connectionTimeoutMs: number
  logLevel: string
  /** Serve the OpenAPI description and its page. */
  documentation: boolean
}

/** Used only outside production when API_SECRET_KEY is unset, so `npm start` works on a fresh clone. */
export const DEVELOPMENT_SECRET = 'development-secret'

const text = (description: string, pattern?: string): TString =>
  Type.String({ description, minLength: 1, ...(pattern === undefined ? {} : { pattern }) })
const bool = text('one of 1, 0, true, false, yes, no', '^(1|0|true|false|yes|no)$')
const count = text('a whole number greater than 0', '^[1-9]\\d*$')
const milliseconds = text('a number of milliseconds, at least 100', '^([1-9]\\d{2,})$')
const port = text('a port number from 1 to 65535', '^([1-9]\\d{0,3}|[1-5]\\d{4}|6[0-4]\\d{3}|65[0-4]\\d{2}|655[0-2]\\d|6553[0-5])$')

const EnvSchema = Type.Object({
  NODE_ENV: Type.Optional(Type.String()),
  STORAGE_BACKEND: Type.Optional(Type.Union([Type.Literal('local'), Type.Literal('s3')], { description: '"local" or "s3"' })),
  TEMP_FOLDER: Type.Optional(text('a folder path')),
  INCOMING_FOLDER: Type.Optional(text('a folder path')),
  ACTIVE_FOLDER: Type.Optional(text('a folder path')),
  API_SECRET_KEY: Type.Optional(text('a non-empty secret')),
  RESIZING_CONFIG: Type.Optional(Type.String()),
  CACHE_CONTROL: Type.Optional(text('a Cache-Control header value')),
  AUTO_ORIENT_ORIGINAL: Type.Optional(bool),
  ALLOWED_ORIGINS: Type.Optional(text('"*" or a comma-separated list of origins')),
  SERVICE_PORT: Type.Optional(port),
  GENERATE_WEBP: Type.Optional(bool),
  GENERATE_AVIF: Type.Optional(bool),
  THUMBNAILS_PUBLISH_DELAY: Type.Optional(text('a number of milliseconds', '^\\d+$')),
  WORK_LEASE: Type.Optional(text('a number of milliseconds, at least 300', '^([3-9]\\d{2}|[1-9]\\d{3,})$')),
  METRICS_PORT: Type.Optional(text('a port number from 0 (any free one) to 65535', '^(0|[1-9]\\d{0,3}|[1-5]\\d{4}|6[0-4]\\d{3}|65[0-4]\\d{2}|655[0-2]\\d|6553[0-5])$')),
  HOST: Type.Optional(text('an address to listen on')),
  METRICS_PATH: Type.Optional(text('a path starting with /', '^/[A-Za-z0-9/_.-]*$')),
  DISABLE_PROMETHEUS_METRICS: Type.Optional(bool),
  DISABLE_DOCUMENTATION: Type.Optional(bool),
  MAX_UPLOAD_SIZE: Type.Optional(count),
  MAX_IMAGE_PIXELS: Type.Optional(count),
  IMAGING_CONCURRENCY: Type.Optional(count),
  IMAGING_QUEUE_LIMIT: Type.Optional(count),
  IMAGING_MEMORY: Type.Optional(count),
  REQUEST_TIMEOUT: Type.Optional(milliseconds),
  BODY_IDLE_TIMEOUT: Type.Optional(milliseconds),
  CONNECTION_TIMEOUT: Type.Optional(milliseconds),
  LOG_LEVEL: Type.Optional(text('one of fatal, error, warn, info, debug, trace, silent', '^(fatal|error|warn|info|debug|trace|silent)$'))
})
type Env = Static<typeof EnvSchema>

export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** Reads the environment once into one typed Config; throws a ConfigError naming the bad variable. */
export function loadConfig (source: Record<string, string | undefined>): Config {
  // An empty variable counts as unset, as in a compose file's `VAR=`.
  const env = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ''))
  for (const key of Object.keys(EnvSchema.properties)) {
    if (typeof env[key] === 'string' && key !== 'RESIZING_CONFIG') env[key] = env[key].trim()
  }
  const error = Value.Errors(EnvSchema, env).First()
  if (error !== undefined) {
    const name = error.path.slice(1)
    throw new ConfigError(`${name} must be ${error.schema.description ?? 'valid'} (got "${String(error.value)}")`)
  }
  return toConfig(env as Env)
}

/** For entry points: the config, or undefined once the message is written to `err`. */
export function loadConfigOrReport (source: Record<string, string | undefined>, err: { write: (text: string) => unknown } = process.stderr): Config | undefined {
  try {
    return loadConfig(source)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    err.write(`Configuration error: ${error.message}\n`)
    return undefined
  }
}

function toConfig (env: Env & Record<string, string | undefined>): Config {
  const production = env.NODE_ENV === 'production'
  if (production && env.STORAGE_BACKEND === undefined) throw new ConfigError('STORAGE_BACKEND is required in production')
  if (production && env.API_SECRET_KEY === undefined) throw new ConfigError('API_SECRET_KEY is required in production')
  return {
    production,
    storageBackend: env.STORAGE_BACKEND ?? 'local',
    tempFolder: resolve(env.TEMP_FOLDER ?? join(tmpdir(), 'images', 'temp')),
    incomingFolder: resolve(env.INCOMING_FOLDER ?? join('data', 'incoming')),
    activeFolder: resolve(env.ACTIVE_FOLDER ?? join('data', 'active')),
    s3: env.STORAGE_BACKEND === 's3' ? s3Buckets(env) : undefined,
    cacheControl: env.CACHE_CONTROL ?? 'public, max-age=3600',
    apiSecretKey: env.API_SECRET_KEY ?? DEVELOPMENT_SECRET,
    resizing: env.RESIZING_CONFIG === undefined ? DEFAULT_RESIZING : resizing(env.RESIZING_CONFIG),
    autoOrientOriginal: yes(env.AUTO_ORIENT_ORIGINAL),
    generateWebp: yes(env.GENERATE_WEBP),
    generateAvif: yes(env.GENERATE_AVIF),
    thumbnailsPublishDelayMs: Number(env.THUMBNAILS_PUBLISH_DELAY ?? 20_000),
    workLeaseMs: Number(env.WORK_LEASE ?? 15_000),
    metrics: yes(env.DISABLE_PROMETHEUS_METRICS) ? undefined : { port: Number(env.METRICS_PORT ?? 8081), host: env.HOST ?? '0.0.0.0', path: env.METRICS_PATH ?? '/metrics' },
    host: env.HOST ?? '0.0.0.0',
    allowedOrigins: (env.ALLOWED_ORIGINS ?? '*').split(',').map(origin => origin.trim()).filter(Boolean),
    servicePort: Number(env.SERVICE_PORT ?? 8080),
    maxUploadSize: Number(env.MAX_UPLOAD_SIZE ?? 50 * 1024 * 1024),
    maxImagePixels: Number(env.MAX_IMAGE_PIXELS ?? 150_000_000),
    imagingConcurrency: Number(env.IMAGING_CONCURRENCY ?? availableParallelism()),
    imagingQueueLimit: Number(env.IMAGING_QUEUE_LIMIT ?? 64),
    requestTimeoutMs: Number(env.REQUEST_TIMEOUT ?? 120_000),
    bodyIdleTimeoutMs: Number(env.BODY_IDLE_TIMEOUT ?? 10_000),
    connectionTimeoutMs: Number(env.CONNECTION_TIMEOUT ?? 72_000),
    imagingMemory: Number(env.IMAGING_MEMORY ?? 256) * 1024 * 1024,
    logLevel: env.LOG_LEVEL ?? 'info',
    documentation: !yes(env.DISABLE_DOCUMENTATION)
  }
}

const yes = (value: string | undefined): boolean => value === '1' || value === 'true' || value === 'yes'

function s3Buckets (env: Record<string, string | undefined>): S3Buckets {
  try {
    return readS3Buckets(env)
  } catch (error) {
    throw new ConfigError((error as Error).message)
  }
}

function resizing (json: string): ResizeRule[] {
  try {
    return parseResizing(json)
  } catch (error) {
    throw new ConfigError(`RESIZING_CONFIG ${(error as Error).message}`)
  }
}
