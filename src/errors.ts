// What went wrong, said by the code that knows it; only the error handler turns these into HTTP answers.

/** A request that is wrong as HTTP (secret, size, a missing part): its status and a message for the client. */
export class HttpError extends Error {
  constructor (readonly statusCode: number, message: string) {
    super(message)
  }
}

/** No image under that key, or it went away during the call. */
export class UnknownImage extends Error {
  override name = 'UnknownImage'
  constructor (readonly key: string) {
    super(`Unknown image: ${key}`)
  }
}

/** A file or call the service will not take; the message says why, for the client. */
export class ImageRefused extends Error {
  override name = 'ImageRefused'
}

/** A store did not answer, or answered with a fault, after the retries. */
export class StorageUnavailable extends Error {
  override name = 'StorageUnavailable'
  constructor (readonly store: string, readonly cause: unknown) {
    super(`The ${store} storage is unavailable. Try again later.`)
  }
}

/** More work in progress than the service takes: the caller may try again after `retryAfterSeconds`. */
export class Busy extends Error {
  override name = 'Busy'
  /** `reason`: which bound was reached, as the rejected_requests_total metric says it. */
  constructor (message: string, readonly retryAfterSeconds: number, readonly reason: 'queue_full' | 'key_busy') {
    super(message)
  }
}

/** A disk the service writes to is full (ENOSPC), here or in a program it ran. */
export class NoSpace extends Error {
  override name = 'NoSpace'
}
