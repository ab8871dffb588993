import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { Busy, HttpError, ImageRefused, NoSpace, StorageUnavailable, UnknownImage } from '../errors.js'
import { fieldErrors, type ValidationIssue } from './field-errors.js'
import { CommandInterrupted } from '../imaging/run.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's words for an image it does not find, where the older service had its own. */
    unknownImage?: string
  }
}

// nginx's code for a client that closed the connection before the answer: not an error of ours.
const CLIENT_GONE = 499

/**
 * One error answer for the whole service, as the older service gave it: the message as plain text.
 * 4xx with a short message, logged with its reason and key; 5xx with nothing internal, logged in full.
 */
export function errorHandler (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (clientGone(request)) {
    request.log.info({ reason: error.message }, 'the client went away')
    void reply.code(CLIENT_GONE).send()
    return
  }
  const { statusCode, message, retryAfter } = answer(error, request)
  if (statusCode >= 500) request.log.error({ err: error }, 'request failed')
  else request.log.info({ statusCode, reason: message, cause: causeOf(error), key: keyOf(error, request) }, 'request refused')
  if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter))
  void reply.code(statusCode).type(PLAIN_TEXT).send(message)
}

export const PLAIN_TEXT = 'text/plain; charset=utf-8'

/** Whether the connection is gone (the client left, or was cut off as too slow): nobody reads the answer. */
export function clientGone (request: FastifyRequest): boolean {
  // The connection, not the request stream: that one is also destroyed once its body has been read.
  return request.raw.socket?.destroyed === true
}

/**
 * The status for what happened, a message for the client (ours as written, any other 5xx
 * without internals), and the seconds to wait before trying again, when it is worth it.
 */
function answer (error: FastifyError, request: FastifyRequest): { statusCode: number, message: string, retryAfter?: number } {
  if (error.validation !== undefined) return { statusCode: 400, message: fieldErrors(error.validation as ValidationIssue[], request.routeOptions.schema?.body as object, request.body) }
  if (error.statusCode === undefined && malformedMultipart(error, request)) return { statusCode: 400, message: 'Malformed multipart body.' }
  if (error instanceof NoSpace || error.code === 'ENOSPC') return { statusCode: 507, message: 'Not enough storage space. Try again later.' }
  if (error instanceof CommandInterrupted) return { statusCode: 503, message: 'Image processing was interrupted. Try again.', retryAfter: 1 }
  if (error instanceof UnknownImage) return { statusCode: 404, message: request.routeOptions.config.unknownImage ?? 'Unknown image.' }
  if (error instanceof ImageRefused) return { statusCode: 400, message: error.message }
  if (error instanceof Busy) return { statusCode: 503, message: error.message, retryAfter: error.retryAfterSeconds }
  if (error instanceof StorageUnavailable) return { statusCode: 503, message: error.message }
  if (error instanceof HttpError) return { statusCode: error.statusCode, message: error.message }
  const statusCode = error.statusCode ?? 500
  return { statusCode, message: statusCode < 500 ? error.message : 'Internal server error' }
}

/** The image key a refusal is about: the one not found, else the one the body named. */
function keyOf (error: FastifyError, request: FastifyRequest): unknown {
  if (error instanceof UnknownImage) return error.key
  const body = request.body as { filename?: unknown, filenames?: unknown } | undefined
  return body?.filename ?? body?.filenames
}

/** What made a refusal, when it was something else: ImageMagick's own words for an undecodable file. */
function causeOf (error: Error): string | undefined {
  return error.cause instanceof Error ? error.cause.message : undefined
}

/**
 * busboy reports a malformed or cut-off multipart body with a bare Error: no status, no code,
 * no class of its own. Errors of our own or of the system always have one of those.
 */
function malformedMultipart (error: FastifyError, request: FastifyRequest): boolean {
  const multipart = request.headers['content-type']?.startsWith('multipart/') ?? false
  return multipart && error.constructor === Error && error.code === undefined
}
