import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import deleteRoute from './delete.js'
import { multipartFields } from './multipart-fields.js'
import publish from './publish.js'
import rotate from './rotate.js'

// A secret and at most 100 keys of about 30 bytes each fit many times over, in any encoding.
const PROTECTED_BODY_LIMIT = 64 * 1024

/**
 * The routes only the API server calls: one secret check for all of them, and bodies of a few
 * fields in JSON, a form or multipart, each refused past PROTECTED_BODY_LIMIT (413).
 */
const protectedRoutes: FastifyPluginAsync<{ suffixes: string[] }> = async (scope, { suffixes }) => {
  scope.addHook('onRoute', route => { route.bodyLimit = PROTECTED_BODY_LIMIT })
  // preValidation, not preHandler: a caller without the secret learns nothing, not even which field is wrong.
  scope.addHook('preValidation', scope.verifySecret)
  // Plain text is an unsupported type here (415).
  scope.removeContentTypeParser('text/plain')
  scope.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, async (request: FastifyRequest, body: Buffer) => await multipartFields(request, body))
  await scope.register(publish)
  await scope.register(deleteRoute, { suffixes })
  await scope.register(rotate)
}

export default protectedRoutes
