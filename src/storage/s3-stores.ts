import { S3Client } from '@aws-sdk/client-s3'
import type { Config } from '../config.js'
import type { S3Bucket, S3Buckets } from '../s3-config.js'
import { S3Storage } from './s3-storage.js'
import type { Stores } from './stores.js'

// The older service's rule: an upload not published within two hours may be cleaned away.
const INCOMING_LIFETIME_MS = 2 * 60 * 60 * 1000

/** Incoming and active on S3; buckets on the same connection share one client. */
export function createS3Stores ({ incoming, active }: S3Buckets, cacheControl: Config['cacheControl']): Omit<Stores, 'temp' | 'close'> & { destroy: () => void } {
  const clients = new Map<string, S3Client>()
  const store = (name: string, bucket: S3Bucket, acl: 'private' | 'public-read', expiresAfterMs?: number): S3Storage => {
    const connection = [bucket.endpoint, bucket.region, bucket.accessKeyId].join(' ')
    const client = clients.get(connection) ?? s3Client(bucket)
    clients.set(connection, client)
    return new S3Storage({ name, bucket: bucket.bucket, client, connection, acl, cacheControl, expiresAfterMs })
  }
  return {
    incoming: store('incoming', incoming, 'private', INCOMING_LIFETIME_MS),
    active: store('active', active, 'public-read'),
    destroy: () => { for (const client of clients.values()) client.destroy() }
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
