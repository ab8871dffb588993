import { Type, type TObject, type TString } from '@sinclair/typebox'
import { keyPattern } from '../keys.js'

/** An image key, an original's or a thumbnail's: the only kind of name the protected routes take. */
export const ImageKey = (suffixes: string[]): TString =>
  Type.String({ pattern: keyPattern(suffixes), description: 'An image key, such as 1732790000_0123456789.jpg' })

/** An original's key: what can be published or rotated (a thumbnail is part of its original's family). */
export const OriginalKey = Type.String({ pattern: keyPattern([]), description: 'An original image\'s key, such as 1732790000_0123456789.jpg' })

export const Secret = Type.String({ description: 'The shared secret, API_SECRET_KEY. Checked before anything else: 401 when missing, 403 when wrong.' })

export const Success = Type.Object({ success: Type.Literal(true) })

/** Every error answer. */
export const Failure = Type.Object({ success: Type.Literal(false), message: Type.String() })

/** The protected routes take their fields in any of the three encodings the API server may use. */
export const FIELD_ENCODINGS = ['application/x-www-form-urlencoded', 'application/json', 'multipart/form-data']

const MEANINGS: Record<number, string> = {
  400: 'Missing or invalid field, or an image the service refuses',
  401: 'Missing secret key.',
  403: 'Bad secret key.',
  404: 'Unknown image.',
  413: 'Body, file or field count too large',
  415: 'Unsupported Content-Type',
  408: 'The request did not arrive within REQUEST_TIMEOUT',
  503: 'Storage unavailable, queue full or image processing interrupted (both with Retry-After), or shutting down',
  507: 'Not enough storage space. Try again later.'
}

/** The error answers a route gives, each described, for validation of the reply and for OpenAPI. */
export function failures (...codes: number[]): Record<number, TObject> {
  return Object.fromEntries(codes.map(code => [code, Type.Object(Failure.properties, { description: MEANINGS[code] })]))
}
