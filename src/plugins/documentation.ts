import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import fp from 'fastify-plugin'

const DESCRIPTION = `Uploads come from browsers (\`uploadImage\`, open to anyone). Publish, rotate and delete come from the
site's API server, which holds the shared secret API_SECRET_KEY and sends it as the \`secret\` field of the body
(a form, JSON or multipart), not as a header: OpenAPI's security schemes cannot describe a body field, so the
operations say \`security: []\` and their bodies require \`secret\` (401 when missing, 403 when wrong).

Accepted images, told by their bytes: JPEG, PNG, GIF and SVG, stored as sent; HEIC/HEIF, AVIF and still WebP,
stored as a JPEG original (a PNG when transparent). Errors answer a message as plain text (one line a bad
field); a 503 says when to come back in Retry-After, a 405 which methods the path takes in Allow.`

/**
 * OpenAPI 3, built from the route schemas registered after this plugin: the description at
 * /documentation/json (and /yaml), a browsable page at /documentation.
 */
export default fp<{ version: string }>(async (app, { version }) => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Image backend', version, description: DESCRIPTION },
      // The address this description was fetched from: the service serves both.
      servers: [{ url: '/', description: 'This service' }],
      tags: [
        { name: 'browser', description: 'Called by people\'s browsers' },
        { name: 'api-server', description: 'Called by the site\'s API server, with the shared secret in the body' },
        { name: 'health', description: 'Liveness and readiness, for the load balancer and the orchestrator' }
      ]
    },
    // The answers' bodies by their names (Success, NewKey, Failure) in components.schemas.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => typeof json.$id === 'string' ? json.$id : `def-${i}` }
  })
  await app.register(swaggerUi, { routePrefix: '/documentation' })
}, { name: 'documentation' })
