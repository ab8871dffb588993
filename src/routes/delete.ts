import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { answer, failures, FIELD_ENCODINGS, ImageKey, Secret } from './schemas.js'

// The API server sends every past version of one document's image: a few, never hundreds.
const MAX_FILENAMES = 100

/** A form with one `filenames` field sends a string: it stands for a list of one. */
async function listOfOne (request: FastifyRequest): Promise<void> {
  const body = request.body as { filenames?: unknown }
  if (typeof body.filenames === 'string') body.filenames = [body.filenames]
}

/** POST /delete: removes one or more active images and their thumbnails; keys already gone are fine. */
const remove: FastifyPluginAsyncTypebox<{ suffixes: string[] }> = async (app, { suffixes }) => {
  const key = ImageKey(suffixes)
  app.post('/delete', {
    preValidation: listOfOne,
    schema: {
      operationId: 'deleteImages',
      tags: ['api-server'],
      summary: 'Removes images and their thumbnails from the public store; keys already gone are fine',
      security: [],
      consumes: FIELD_ENCODINGS,
      body: Type.Object({
        secret: Secret,
        filenames: Type.Array(key, { minItems: 1, maxItems: MAX_FILENAMES, description: 'One key, or up to 100 (a form repeats the field)' })
      }),
      response: { 200: answer('Success', 'Deleted, from active and from incoming (or already gone)', { success: true }), ...failures([400, 401, 403, 405, 413, 415, 503, 507], { 400: 'Bad parameter filenames: Invalid input.', 503: 'The active storage is unavailable. Try again later.' }) }
    }
  }, async request => {
    await app.images.delete(request.body.filenames)
    app.serviceMetrics.deletedImages.inc(request.body.filenames.length)
    return { success: true as const }
  })
}

export default remove
