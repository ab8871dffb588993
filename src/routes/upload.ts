import { createWriteStream } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import multipart from '@fastify/multipart'
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { HttpError } from '../errors.js'
import { answer, failures, REQUEST_TIMEOUT } from './schemas.js'

const missingFile = (): HttpError => new HttpError(400, 'Missing parameters. Expected values are { file }')
const tooLarge = (): HttpError => new HttpError(413, 'File too large.')
// Room for the multipart framing and a few small fields around the file.
const MULTIPART_SLACK = 1024 * 1024

/** POST /upload: one image in the multipart part `file`; its name and Content-Type are not trusted. */
const upload: FastifyPluginAsyncTypebox<{ maxUploadSize: number }> = async (app, { maxUploadSize }) => {
  // This scope's own multipart: streamed to a temp file, one file a request, never buffered.
  await app.register(multipart, { limits: { fileSize: maxUploadSize, files: 1, fields: 10 } })
  app.post('/upload', {
    schema: {
      operationId: 'uploadImage',
      tags: ['browser'],
      summary: 'Stores an image and its thumbnails in incoming under a new key',
      security: [],
      description: 'Accepted, told by the bytes: JPEG, PNG, GIF and SVG, stored as sent; HEIC/HEIF, AVIF and still WebP, stored as a JPEG original at quality 92 (a PNG when transparent), upright, with their EXIF and colour profile. Refused: animated WebP or AVIF, TIFF, BMP, PDF, PSD, anything else. Thumbnails are sRGB, 8 bits a channel.',
      consumes: ['multipart/form-data'],
      body: Type.Object({ file: Type.String({ format: 'binary', description: 'JPEG, PNG, GIF, SVG, HEIC/HEIF, AVIF or WebP, told by its bytes; the part\'s name and type are not used' }) }),
      response: { 200: answer('NewKey', 'Stored in incoming: the image\'s key', { success: true, filename: '1732790000_0123456789.jpg' }), ...REQUEST_TIMEOUT, ...failures([400, 405, 413, 415, 503, 507], { 400: 'Unsupported image format.', 413: 'File too large.' }) }
    },
    // The handler streams the body itself: the schema above only describes it.
    validatorCompiler: () => () => true
  }, async request => {
    // Before reading the body (and again before the image work): a full queue answers at once.
    app.images.admit()
    // A body announced larger than any allowed upload is refused before a byte of it is read.
    if (Number(request.headers['content-length'] ?? 0) > maxUploadSize + MULTIPART_SLACK) throw tooLarge()
    if (!request.isMultipart()) throw missingFile()
    const part = await request.file()
    if (part === undefined || part.fieldname !== 'file') throw missingFile()
    const workspace = await app.storage.temp.workspace()
    try {
      const path = workspace.file('upload')
      await pipeline(part.file, createWriteStream(path))
      // Past the limit the stream just ends early; only this flag tells.
      if (part.file.truncated) throw tooLarge()
      const { key, format } = await app.images.upload(workspace, path)
      app.serviceMetrics.uploadedImages.inc({ format })
      return { success: true as const, filename: key }
    } finally {
      await workspace.remove()
    }
  })
}

export default upload
