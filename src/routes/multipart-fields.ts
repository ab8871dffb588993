import { Busboy, type BusboyHeaders } from '@fastify/busboy'
import type { FastifyRequest } from 'fastify'
import { HttpError } from '../errors.js'

// The most fields a protected route is sent: a secret and up to 100 keys, with room to spare.
const MAX_FIELDS = 200

/**
 * A multipart body of text fields, read whole under the route's body limit like any other body,
 * as the older service took them; a name sent twice becomes a list. A file in it is refused.
 */
export async function multipartFields (request: FastifyRequest, body: Buffer): Promise<Record<string, string | string[]>> {
  const fields = new Map<string, string | string[]>()
  const parser = new Busboy({ headers: request.headers as BusboyHeaders, limits: { files: 0, fields: MAX_FIELDS } })
  return await new Promise((resolve, reject) => {
    parser.on('field', (name: string, value: string) => {
      const earlier = fields.get(name)
      fields.set(name, earlier === undefined ? value : [earlier, value].flat())
    })
    parser.on('filesLimit', () => reject(new HttpError(413, 'Files are not taken here.')))
    parser.on('fieldsLimit', () => reject(new HttpError(413, 'Too many fields.')))
    parser.on('error', reject)
    // fromEntries defines each name as its own property: a field named __proto__ is only a field.
    parser.on('finish', () => resolve(Object.fromEntries(fields)))
    parser.end(body)
  })
}
