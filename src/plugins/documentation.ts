import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import fp from 'fastify-plugin'

/**
 * OpenAPI 3, built from the route schemas registered after this plugin: the description at
 * /documentation/json (and /yaml), a browsable page at /documentation.
 */
export default fp<{ version: string }>(async (app, { version }) => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Image backend',
        version,
        description: 'Uploads from browsers; publish, rotate and delete from the API server, which holds the shared secret. ' +
          'Errors answer {"success": false, "message": "..."}.'
      }
    }
  })
  await app.register(swaggerUi, { routePrefix: '/documentation' })
}, { name: 'documentation' })
