import { createReadStream, createWriteStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { setTimeout } from 'node:timers/promises'
import {
  CopyObjectCommand, DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand,
  ListObjectsV2Command, PutObjectCommand, type PutObjectCommandInput, type S3Client
} from '@aws-sdk/client-s3'
import { NoSpace, StorageUnavailable } from '../errors.js'
import { contentType } from './content-type.js'
import { falseIfMissing, lastAfterTheRest, ListingStore, MissingKeyError, type Storage, type StoredKey } from './storage.js'

export interface S3StoreOptions {
  name: string
  bucket: string
  client: S3Client
  /** Stores with the same connection copy between their buckets on the server. */
  connection: string
  acl: 'private' | 'public-read'
  cacheControl: string
  /** Sets `Expires` this long after each write (incoming objects). */
  expiresAfterMs?: number
  /** Keys a listing request asks for: S3's most, 1000, unless a test wants many pages. */
  pageSize?: number
}

// DeleteObjects takes at most 1000 keys, and a listing gives at most as many.
const PAGE = 1000
// As many as the SDK makes for other requests.
const PUT_ATTEMPTS = 3

export class S3Storage extends ListingStore implements Storage {
  readonly name: string

  constructor (private readonly options: S3StoreOptions) {
    super()
    this.name = options.name
  }

  async reachable (): Promise<void> {
    await this.request(undefined, async client => await client.send(new HeadBucketCommand({ Bucket: this.options.bucket })))
  }

  async exists (key: string): Promise<boolean> {
    return await this.request(key, async client => await client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: key }))).then(() => true, error => {
      if (error instanceof MissingKeyError) return false
      throw error
    })
  }

  async put (key: string, path: string): Promise<void> {
    // A stream from disk with its length: the SDK sends it without reading it into memory. It
    // cannot retry a stream, so a failed attempt is retried here with the file opened again.
    const { size } = await stat(path)
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.putStream(key, createReadStream(path), size)
      } catch (error) {
        if (!(error instanceof StorageUnavailable) || attempt === PUT_ATTEMPTS) throw error
        await setTimeout(100 * 2 ** attempt)
      }
    }
  }

  async putStream (key: string, body: Readable, length: number): Promise<void> {
    // An empty object (a marker, a claim) goes as an empty string, which the SDK can send again when it retries.
    const sent = length === 0 ? '' : body
    await this.request(key, async client => await client.send(new PutObjectCommand({ ...this.writeHeaders(key), Body: sent, ContentLength: length })))
  }

  async fetch (key: string, path: string): Promise<void> {
    const object = await this.request(key, async client => await client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: key })))
    await this.request(key, async () => await pipeline(object.Body as Readable, createWriteStream(path)))
  }

  async moveAll (keys: string[], target: Storage, guard: () => void = () => {}): Promise<string[]> {
    const moved = await lastAfterTheRest(keys, async key => {
      guard()
      return await this.copy(key, target).then(() => true, falseIfMissing)
    })
    // Their removal is one request, after every copy is in place.
    await this.deleteMany(moved)
    return moved
  }

  private async copy (key: string, target: Storage): Promise<void> {
    if (target instanceof S3Storage && target.options.connection === this.options.connection) {
      // Server-side copy; REPLACE so the target's ACL, Cache-Control and Content-Type apply.
      await target.request(key, async client => await client.send(new CopyObjectCommand({
        ...target.writeHeaders(key),
        CopySource: `${this.options.bucket}/${encodeURIComponent(key)}`,
        MetadataDirective: 'REPLACE'
      })), this)
    } else {
      const object = await this.request(key, async client => await client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: key })))
      await target.putStream(key, object.Body as Readable, object.ContentLength ?? 0)
    }
  }

  async delete (key: string): Promise<void> {
    await this.request(key, async client => await client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: key })))
  }

  /** An S3 write is whole or not there: no partial file is left, and none is looked for (no request). */
  async removePartials (): Promise<void> {}

  /** The keys (those that start with `prefix`) with their times, a page of `ListObjectsV2` at a time. */
  async * list (prefix?: string): AsyncIterable<StoredKey[]> {
    let token: string | undefined
    do {
      const page = await this.request(undefined, async client => await client.send(new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: this.options.pageSize ?? PAGE })))
      yield (page.Contents ?? []).flatMap(object => object.LastModified === undefined ? [] : [{ key: object.Key as string, modified: object.LastModified }])
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined
    } while (token !== undefined)
  }

  async deleteMany (keys: string[]): Promise<void> {
    for (let start = 0; start < keys.length; start += PAGE) {
      const objects = keys.slice(start, start + PAGE).map(Key => ({ Key }))
      const result = await this.request(undefined, async client => await client.send(new DeleteObjectsCommand({ Bucket: this.options.bucket, Delete: { Objects: objects, Quiet: true } })))
      if ((result.Errors ?? []).length > 0) throw new StorageUnavailable(this.name, result.Errors)
    }
  }

  private writeHeaders (key: string): PutObjectCommandInput {
    const { bucket, acl, cacheControl, expiresAfterMs } = this.options
    return {
      Bucket: bucket,
      Key: key,
      ACL: acl,
      CacheControl: cacheControl,
      ContentType: contentType(key),
      Expires: expiresAfterMs === undefined ? undefined : new Date(Date.now() + expiresAfterMs)
    }
  }

  /**
   * Runs a request: a missing key becomes MissingKeyError (named after `source`, the store read
   * from), a full server's 507 NoSpace, anything else that still fails after the SDK's retries a 503.
   */
  private async request<T> (key: string | undefined, request: (client: S3Client) => Promise<T>, source: S3Storage = this): Promise<T> {
    try {
      return await request(this.options.client)
    } catch (error) {
      const name = (error as Error).name
      if (name === 'NotFound' || name === 'NoSuchKey') throw new MissingKeyError(key ?? '', source.name)
      // 507 Insufficient Storage: what MinIO answers when its disks are full.
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 507) throw new NoSpace(`The ${this.name} storage is full.`)
      throw new StorageUnavailable(this.name, error)
    }
  }
}
