import { S3Client } from '@aws-sdk/client-s3'
import type { Config } from '../config/config.js'
import type { S3Bucket, S3Buckets } from '../config/s3.js'
import { S3Storage } from './s3-storage.js'
import type { Stores } from './stores.js'

// The older service's rule: an upload not published within two hours may be cleaned away.
const INCOMING_LIFETIME_MS = 2 * 60 * 60 * 1000

/** Told of every request a store sends, each attempt of the SDK's retries included, by S3 operation (`PutObject`). */
export type RequestSent = (store: string, operation: string) => void

/** Incoming and active on S3; buckets on the same connection share one client. */
export function createS3Stores ({ incoming, active }: S3Buckets, cacheControl: Config['cacheControl'], sent: RequestSent = () => {}): Omit<Stores, 'temp' | 'close'> & { destroy: () => void } {
  // One client a connection, and its buckets' stores by name: a request names its bucket (a copy, its target's).
  const clients = new Map<string, { client: S3Client, stores: Map<string, string> }>()
  const store = (name: string, bucket: S3Bucket, acl: 'private' | 'public-read', expiresAfterMs?: number): S3Storage => {
    const connection = [bucket.endpoint, bucket.region, bucket.accessKeyId].join(' ')
    const stores = clients.get(connection)?.stores ?? new Map<string, string>()
    const client = clients.get(connection)?.client ?? counted(s3Client(bucket), stores, sent)
    clients.set(connection, { client, stores })
    stores.set(bucket.bucket, name)
    return new S3Storage({ name, bucket: bucket.bucket, client, connection, acl, cacheControl, expiresAfterMs })
  }
  return {
    incoming: store('incoming', incoming, 'private', INCOMING_LIFETIME_MS),
    active: store('active', active, 'public-read'),
    destroy: () => { for (const { client } of clients.values()) client.destroy() }
  }
}

function s3Client (bucket: S3Bucket): S3Client {
  return new S3Client({
    endpoint: bucket.endpoint,
    region: bucket.region,
    credentials: { accessKeyId: bucket.accessKeyId, secretAccessKey: bucket.secretAccessKey },
    forcePathStyle: true,
    maxAttempts: 3,
    // The SDK's newer defaults send checksum trailers that many S3-compatible services reject.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED'
  })
}

/** Counts each request `client` sends; after the SDK's retry step, so each attempt counts once. */
function counted (client: S3Client, stores: Map<string, string>, sent: RequestSent): S3Client {
  client.middlewareStack.add((next, context) => async args => {
    const bucket = (args.input as { Bucket?: string }).Bucket ?? ''
    const command = context.commandName ?? 'Unknown'
    sent(stores.get(bucket) ?? bucket, command.endsWith('Command') ? command.slice(0, -'Command'.length) : command)
    return await next(args)
  }, { step: 'finalizeRequest', name: 'countStorageRequests' })
  return client
}
