/** An error whose message is meant for the client: 4xx answers carry it as it is. */
export class HttpError extends Error {
  constructor (readonly statusCode: number, message: string) {
    super(message)
  }
}

export const unsupportedFormat = (): HttpError => new HttpError(400, 'Unsupported image format.')
export const unknownImage = (): HttpError => new HttpError(404, 'Unknown image.')
