import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { Busy, HttpError, ImageRefused, StorageUnavailable, UnknownImage } from './errors.js'

interface ValidationIssue {
  instancePath: string
  keyword: string
  params: Record<string, unknown>
}

/** One error answer for the whole service: 4xx with a short message, 5xx with nothing internal. */
export function errorHandler (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (error.validation !== undefined) {
    void reply.code(400).send({ success: false, message: validationMessage(error.validation as ValidationIssue[], request) })
    return
  }
  if (error.statusCode === undefined && malformedMultipart(error, request)) {
    void reply.code(400).send({ success: false, message: 'Malformed multipart body.' })
    return
  }
  const { statusCode, message } = answer(error)
  if (statusCode >= 500) request.log.error({ err: error }, 'request failed')
  if (error instanceof Busy) void reply.header('retry-after', String(error.retryAfterSeconds))
  void reply.code(statusCode).send({ success: false, message })
}

/** The status for what happened, and a message for the client: ours as written, any other 5xx without internals. */
function answer (error: FastifyError): { statusCode: number, message: string } {
  if (error instanceof UnknownImage) return { statusCode: 404, message: 'Unknown image.' }
  if (error instanceof ImageRefused) return { statusCode: 400, message: error.message }
  if (error instanceof StorageUnavailable || error instanceof Busy) return { statusCode: 503, message: error.message }
  if (error instanceof HttpError) return { statusCode: error.statusCode, message: error.message }
  const statusCode = error.statusCode ?? 500
  return { statusCode, message: statusCode < 500 ? error.message : 'Internal server error.' }
}

/**
 * busboy reports a malformed or cut-off multipart body with a bare Error: no status, no code,
 * no class of its own. Errors of our own or of the system always have one of those.
 */
function malformedMultipart (error: FastifyError, request: FastifyRequest): boolean {
  const multipart = request.headers['content-type']?.startsWith('multipart/') ?? false
  return multipart && error.constructor === Error && error.code === undefined
}

function validationMessage (issues: ValidationIssue[], request: FastifyRequest): string {
  const missing = issues.find(issue => issue.keyword === 'required')
  if (missing !== undefined) {
    const schema = request.routeOptions.schema?.body as { required?: string[] } | undefined
    const expected = (schema?.required ?? []).filter(name => name !== 'secret').join(', ')
    return `Missing parameters. Expected values are { ${expected} }`
  }
  const field = issues[0]?.instancePath.split('/')[1]
  return field === undefined || field === '' ? 'Invalid request body.' : `Invalid ${field}.`
}
