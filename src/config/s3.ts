/** One bucket and the connection that reaches it. */
export interface S3Bucket {
  bucket: string
  endpoint: string
  accessKeyId: string
  secretAccessKey: string
  region: string
}

export interface S3Buckets {
  incoming: S3Bucket
  active: S3Bucket
}

const PREFIX = /^[A-Za-z][A-Za-z0-9_]*$/
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/

/**
 * Reads `<STORE>_BUCKET` and `<STORE>_PREFIX` for incoming and active; the prefix P names the
 * connection: `P_ENDPOINT`, `P_ACCESS_KEY_ID`, `P_SECRET_KEY`, `P_DEFAULT_REGION` (optional).
 * Throws a message naming the first missing or bad variable.
 */
export function readS3Buckets (env: Record<string, string | undefined>): S3Buckets {
  return { incoming: readBucket(env, 'INCOMING'), active: readBucket(env, 'ACTIVE') }
}

function readBucket (env: Record<string, string | undefined>, store: string): S3Bucket {
  const bucket = required(env, `${store}_BUCKET`)
  if (!BUCKET.test(bucket)) throw new Error(`${store}_BUCKET must be an S3 bucket name (got "${bucket}")`)
  const prefix = required(env, `${store}_PREFIX`)
  if (!PREFIX.test(prefix)) throw new Error(`${store}_PREFIX must be letters, digits and _ (got "${prefix}")`)
  const endpoint = required(env, `${prefix}_ENDPOINT`)
  if (!URL.canParse(endpoint) || !/^https?:$/.test(new URL(endpoint).protocol)) {
    throw new Error(`${prefix}_ENDPOINT must be an http or https URL (got "${endpoint}")`)
  }
  return {
    bucket,
    endpoint,
    accessKeyId: required(env, `${prefix}_ACCESS_KEY_ID`),
    secretAccessKey: required(env, `${prefix}_SECRET_KEY`),
    region: env[`${prefix}_DEFAULT_REGION`] ?? 'us-east-1'
  }
}

function required (env: Record<string, string | undefined>, name: string): string {
  const value = env[name]
  if (value === undefined) throw new Error(`${name} is required when STORAGE_BACKEND is s3`)
  return value
}
