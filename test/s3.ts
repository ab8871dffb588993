import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GetObjectCommand, HeadObjectCommand, type HeadObjectCommandOutput, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3'
import S3rver from 's3rver'
import { until } from './until.js'

interface TestContext {
  teardown: (fn: () => unknown) => void
}

export interface TestS3 {
  endpoint: string
  /** Environment for STORAGE_BACKEND=s3 on this server; both buckets on one connection named TEST. */
  env: Record<string, string>
  stop: () => Promise<void>
  /** Starts again on the same port and folder: the objects are still there. */
  start: () => Promise<void>
  /** Answers every request (or those `only` picks) with this status (a 500, a 503) until set back to undefined. */
  failWith: (status: number | undefined, only?: (request: { method: string, path: string }) => boolean) => void
  /** A client of the test's own on this server. */
  client: S3Client
  /** Every request the server received: method, path, and the ACL it asked for. */
  requests: Array<{ method: string, path: string, acl: string | undefined }>
  /** The keys in a bucket, sorted. */
  keys: (bucket: string) => Promise<string[]>
  /** An object's headers, as a client reading it gets them. */
  head: (bucket: string, key: string) => Promise<HeadObjectCommandOutput>
  /** Downloads an object to a local file. */
  download: (bucket: string, key: string, path: string) => Promise<void>
  /** Puts empty objects under `keys` straight into s3rver's folder: thousands in a moment. */
  fill: (bucket: string, keys: string[]) => Promise<void>
  /** Makes an object look written `seconds` ago (s3rver takes LastModified from its file). */
  age: (bucket: string, key: string, seconds: number) => Promise<void>
}

/** A real S3-protocol server (s3rver) on 127.0.0.1, with empty buckets, for this test only. */
export async function startS3 (t: TestContext, buckets = ['incoming', 'active']): Promise<TestS3> {
  const directory = mkdtempSync(join(tmpdir(), 'image-backend-s3-'))
  let port = 0
  let server: any
  const requests: TestS3['requests'] = []
  let fault: number | undefined
  let faulty = (_request: { method: string, path: string }): boolean => true
  const start = async (): Promise<void> => {
    server = new S3rver({ address: '127.0.0.1', port, silent: true, directory, configureBuckets: buckets.map(name => ({ name })) })
    port = (await server.run()).port
    // In front of s3rver's own handler: record each request, or answer it with the fault set.
    const handlers = server.httpServer.listeners('request')
    server.httpServer.removeAllListeners('request')
    server.httpServer.on('request', (request: any, response: any) => {
      const seen = { method: request.method, path: request.url.split('?')[0], acl: request.headers['x-amz-acl'] }
      requests.push(seen)
      if (fault !== undefined && faulty(seen)) {
        response.writeHead(fault, { 'content-type': 'application/xml' })
        return response.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>injected</Message></Error>')
      }
      for (const handler of handlers) handler.call(server.httpServer, request, response)
    })
  }
  const stop = async (): Promise<void> => {
    // The SDK keeps connections alive; close them, or close() waits for them.
    server.httpServer.closeAllConnections()
    await server.close()
  }
  await start()
  t.teardown(async () => {
    await stop().catch(() => {})
    rmSync(directory, { recursive: true, force: true })
  })
  const endpoint = `http://127.0.0.1:${port}`
  // A client of the test's own, to look at what the service stored.
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } })
  t.teardown(() => client.destroy())
  return {
    endpoint,
    env: {
      STORAGE_BACKEND: 's3',
      INCOMING_BUCKET: buckets[0],
      INCOMING_PREFIX: 'TEST',
      ACTIVE_BUCKET: buckets[1],
      ACTIVE_PREFIX: 'TEST',
      TEST_ENDPOINT: endpoint,
      TEST_ACCESS_KEY_ID: 'S3RVER',
      TEST_SECRET_KEY: 'S3RVER'
    },
    stop,
    start,
    failWith: (status, only = () => true) => {
      fault = status
      faulty = only
    },
    client,
    requests,
    keys: async bucket => ((await client.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map(object => object.Key as string).sort(),
    head: async (bucket, key) => await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })),
    download: async (bucket, key, path) => {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
      writeFileSync(path, await object.Body!.transformToByteArray())
    },
    fill: async (bucket, keys) => {
      // s3rver's own layout: the bytes, and their MD5 (that of nothing here).
      for (const key of keys) {
        writeFileSync(join(directory, bucket, `${key}._S3rver_object`), '')
        writeFileSync(join(directory, bucket, `${key}._S3rver_object.md5`), createHash('md5').digest('hex'))
      }
    },
    age: async (bucket, key, seconds) => {
      const file = join(directory, bucket, `${key}._S3rver_object`)
      // s3rver answers a PutObject before its file is written (even opened): wait until it holds
      // what s3rver hashed, or a write landing after this would make it new again.
      const md5 = `${file}.md5`
      await until(() => existsSync(md5) && existsSync(file) && createHash('md5').update(readFileSync(file)).digest('hex') === readFileSync(md5, 'utf8'), 's3rver to finish writing the object')
      const when = new Date(Date.now() - seconds * 1000)
      utimesSync(file, when, when)
    }
  }
}
