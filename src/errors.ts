/** An error whose message is meant for the client: 4xx answers carry it as it is. */
export class HttpError extends Error {
  constructor (readonly statusCode: number, message: string, readonly headers: Record<string, string> = {}) {
    super(message)
  }
}

export const unsupportedFormat = (): HttpError => new HttpError(400, 'Unsupported image format.')
export const unknownImage = (): HttpError => new HttpError(404, 'Unknown image.')

/** The object store did not answer, or answered with a fault, after the SDK's retries. */
export class StorageUnavailableError extends HttpError {
  override name = 'StorageUnavailableError'
  constructor (store: string, readonly cause: unknown) {
    super(503, `The ${store} storage is unavailable. Try again later.`)
  }
}
