import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { keyPattern } from '../../src/keys.js'
import { testApp } from '../helpers.js'

const REDOCLY = join(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'redocly')
// What redocly's recommended rules still warn of, and why: no license is chosen yet.
const KNOWN_WARNINGS = ['info-license #/info']

const ENCODINGS = ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data']

t.test('the OpenAPI description covers every route, its bodies, its secret and its answers', async t => {
  const { app } = await testApp(t)
  const response = await app.inject('/documentation/json')
  t.equal(response.statusCode, 200)
  const spec = response.json()
  t.equal(spec.openapi, '3.0.3')
  // Every route the service serves, read from Fastify itself, but the documentation's own.
  const served = app.printRoutes({ commonPrefix: false }).split('\n')
    .map(line => /^[├└]── (\/\w+) \(/.exec(line)?.[1]).filter((path): path is string => path !== undefined && path !== '/documentation')
  t.same([...new Set(served)].sort(), ['/delete', '/ping', '/publish', '/ready', '/rotate', '/upload'])
  for (const path of served) t.ok(spec.paths[path], `${path} is described`)

  const upload = spec.paths['/upload'].post
  t.match(upload.requestBody.content['multipart/form-data'].schema.properties.file, { type: 'string', format: 'binary', description: /JPEG, PNG, GIF, SVG, HEIC\/HEIF, AVIF or WebP/ })
  t.match(upload.description, /stored as a JPEG original at quality 92 \(a PNG when transparent\)/, 'what each accepted format becomes')
  t.match(upload.description, /Refused: animated WebP or AVIF, TIFF, BMP, PDF, PSD/)
  t.same(Object.keys(upload.responses).sort(), ['200', '400', '405', '408', '413', '415', '503', '507'])
  const suffixes = ['BI', 'MI', 'SI']
  for (const path of ['/publish', '/rotate', '/delete']) {
    const operation = spec.paths[path].post
    t.same(Object.keys(operation.requestBody.content).sort(), ENCODINGS, `${path} takes the three encodings`)
    const schema = operation.requestBody.content['application/json'].schema
    t.ok(schema.required.includes('secret'), `${path} needs the secret`)
    t.match(schema.properties.secret.description, /API_SECRET_KEY/)
    t.match(Object.keys(operation.responses), ['200', '400', '401', '403'], `${path} answers`)
    t.equal(operation.responses['403'].content['text/plain'].example, 'Bad secret key.')
    t.ok(operation.responses['405'].headers.allow, `${path}: 405 names the methods taken`)
  }
  t.equal(spec.paths['/publish'].post.requestBody.content['application/json'].schema.properties.filename.pattern, keyPattern([]), 'publish takes an original\'s key')
  t.equal(spec.paths['/delete'].post.requestBody.content['application/json'].schema.properties.filenames.items.pattern, keyPattern(suffixes), 'delete takes thumbnails\' keys too')
  t.same(Object.keys(spec.paths['/ready'].get.responses).sort(), ['200', '405', '503'])

  for (const [path, methods] of Object.entries<Record<string, any>>(spec.paths)) {
    for (const operation of Object.values(methods)) {
      t.match(operation, { operationId: /^\w+$/, tags: [/\w/], security: [] }, `${path}: named, tagged, no security scheme (the secret is in the body)`)
      for (const [code, response] of Object.entries<any>(operation.responses)) {
        if (code === '408') continue
        const [media] = Object.values<any>(response.content)
        t.ok(media.example !== undefined && (media.schema.$ref?.startsWith('#/components/schemas/') === true || media.schema.type === 'string'), `${path} ${code}: a named schema and an example`)
      }
    }
  }
  t.same(Object.keys(spec.components.schemas).sort(), ['Failure', 'NewKey', 'Success'])
  t.same(spec.paths['/upload'].post.responses['503'].headers['retry-after'].schema, { type: 'integer' })
  t.match(spec.paths['/rotate'].post.requestBody.content['application/json'].schema.properties.rotation.anyOf, [{ type: 'integer', enum: [-90, 90, 180] }, { type: 'string', enum: ['-90', '90', '180'] }])
  t.match(spec.servers, [{ url: '/' }])
  t.match(spec.info.description, /sends it as the `secret` field of the body/)

  // Redocly's linter, with its recommended rules, on the description as served.
  const file = join(t.testdir(), 'openapi.json')
  writeFileSync(file, response.body)
  const lint = spawnSync(REDOCLY, ['lint', '--extends', 'recommended', '--format', 'json', file], { encoding: 'utf8', env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_NOTIFICATIONS: 'true', NO_UPDATE_NOTIFIER: '1' } })
  const { totals, problems } = JSON.parse(lint.stdout)
  const named = problems.map((problem: any) => `${problem.ruleId} ${problem.location[0].pointer}`)
  t.equal(totals.errors, 0, named.join('; '))
  t.same(named.sort(), KNOWN_WARNINGS, 'no other warning')

  const page = await app.inject('/documentation')
  t.equal(page.statusCode, 200)
  t.match(page.body, /swagger-ui/i)
})

t.test('DISABLE_DOCUMENTATION=1 serves neither', async t => {
  const { app } = await testApp(t, { DISABLE_DOCUMENTATION: '1' })
  t.equal((await app.inject('/documentation/json')).statusCode, 404)
  t.equal((await app.inject('/documentation')).statusCode, 404)
})
