import { Type, type TSchema, type TString } from '@sinclair/typebox'
import { keyPattern } from '../keys.js'

/** An image key, an original's or a thumbnail's: the only kind of name the protected routes take. */
export const ImageKey = (suffixes: string[]): TString =>
  Type.String({ pattern: keyPattern(suffixes), description: 'An image key, such as 1732790000_0123456789.jpg' })

/** An original's key: what can be published or rotated (a thumbnail is part of its original's family). */
export const OriginalKey = Type.String({ pattern: keyPattern([]), description: 'An original image\'s key, such as 1732790000_0123456789.jpg' })

export const Secret = Type.String({ description: 'The shared secret, API_SECRET_KEY: a field of the body, not a header. Checked before anything else: 401 when missing, 403 when wrong.' })

/** The protected routes take their fields in any of the three encodings the API server may use. */
export const FIELD_ENCODINGS = ['application/x-www-form-urlencoded', 'application/json', 'multipart/form-data']

/** The answers' bodies, each registered once by name (buildApp adds them), so OpenAPI shows them by name. */
export const ANSWER_SCHEMAS: TSchema[] = [
  Type.Object({ success: Type.Literal(true) }, { $id: 'Success', description: 'Done' }),
  Type.Object({ success: Type.Literal(true), filename: Type.String({ pattern: keyPattern([]) }) }, { $id: 'NewKey', description: 'Done: the image\'s new key' }),
  Type.String({ $id: 'Failure', description: 'Every error answer, as plain text: a short message for people (one line a bad field)' })
]

/** One answer as Fastify serializes it and OpenAPI shows it: the named body, its meaning, an example. */
interface Answer {
  description: string
  content?: Record<string, { schema: object, example: unknown }>
  headers?: Record<string, object>
}

export function answer (schema: 'Success' | 'NewKey', description: string, example: object): Answer {
  return { description, content: { 'application/json': { schema: { $ref: `${schema}#` }, example } } }
}

/** An error answer: its meaning, and a message it carries, as plain text. */
export function failure (description: string, example: string): Answer {
  return { description, content: { 'text/plain': { schema: { $ref: 'Failure#' }, example } } }
}

const ALLOW = { allow: { type: 'string', description: 'The methods the path takes, such as POST' } }
const RETRY_AFTER = { 'retry-after': { type: 'integer', description: 'Seconds to wait before trying again (not when shutting down)' } }

// What each error code means, and the message it most often carries.
const FAILURES: Record<number, [meaning: string, example: string]> = {
  400: ['A missing or invalid field (a line each), or an image the service refuses', 'Bad parameter filename: Invalid input.'],
  401: ['The secret is missing', 'Missing secret key.'],
  403: ['The secret is wrong', 'Bad secret key.'],
  404: ['No such image (in neither store, or deleted or rotated meanwhile)', 'Unknown image.'],
  405: ['A method the path does not take: `Allow` lists those it takes', 'Method Not Allowed'],
  413: ['The body, the file or the number of fields is over its limit', 'Request body is too large'],
  415: ['A Content-Type the route does not take', 'Unsupported Media Type: text/plain'],
  503: ['Busy (the queue is full, the image is busy), storage unavailable, an image program stopped, or shutting down', 'Too many images in progress. Try again shortly.'],
  507: ['A disk the service writes to is full', 'Not enough storage space. Try again later.']
}

/** The error answers a route gives, each with its meaning and an example message (`examples` for the route's own). */
export function failures (codes: number[], examples: Record<number, string> = {}): Record<number, Answer> {
  return Object.fromEntries(codes.map(code => {
    const [meaning, example] = FAILURES[code]
    const answered = failure(meaning, examples[code] ?? example)
    return [code, code === 503 ? { ...answered, headers: RETRY_AFTER } : code === 405 ? { ...answered, headers: ALLOW } : answered]
  }))
}

/** Node's own answer to a request that did not arrive within REQUEST_TIMEOUT: no body. */
export const REQUEST_TIMEOUT = { 408: { description: 'The request did not arrive within REQUEST_TIMEOUT; Node answers it with no body and closes the connection' } }
