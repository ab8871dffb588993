import { createHash, timingSafeEqual } from 'node:crypto'
import type { preValidationAsyncHookHandler } from 'fastify'
import fp from 'fastify-plugin'
import { HttpError } from '../errors.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Route hook: the body's `secret` must equal API_SECRET_KEY. */
    verifySecret: preValidationAsyncHookHandler
  }
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest()

export default fp<{ secret: string }>(async (app, { secret }) => {
  const expected = digest(secret)
  // preValidation, not preHandler: a caller without the secret learns nothing, not even which field is wrong.
  app.decorate('verifySecret', async function verifySecret (request) {
    const given = (request.body as { secret?: unknown } | undefined)?.secret
    if (given === undefined || given === '') throw new HttpError(401, 'Missing secret key.')
    // Digests have one length, so timingSafeEqual compares in constant time whatever was sent.
    if (typeof given !== 'string' || !timingSafeEqual(digest(given), expected)) throw new HttpError(403, 'Bad secret key.')
  } satisfies preValidationAsyncHookHandler)
}, { name: 'auth' })
