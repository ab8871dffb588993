// The Docker image, built and tried for real with podman (`npm run test:image`, which sets podman
// up first: test/image/check.sh). Not a part of `npm test`: it builds an image and runs containers.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3'
import t from 'tap'
import { parse } from 'yaml'
import { identify, SECRET } from '../helpers.js'
import { until } from '../until.js'
import { checkComposeFile } from './compose-file.js'
import { everyFormat, largeJpeg } from './fixtures.js'
import { get, protectedCall, slowUpload, upload } from './http.js'
import { podman, published, run, said, succeeded, type Ran } from './podman.js'

const ROOT = join(import.meta.dirname, '..', '..')
const IMAGE = 'localhost/image-backend:check'
const ALONE = 'image-backend-check-alone'
const VOLUME = 'image-backend-check-data'
const PROJECT = 'image-backend-check'
const BASE = `docker.io/library/${/^FROM (node:\S+)/m.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))?.[1] ?? ''}`
const COMMIT = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT }).toString().trim()
// The CA bundle npm needs inside the build behind a TLS-inspecting proxy; none where there is none.
const CA = process.env.NODE_EXTRA_CA_CERTS

t.test('the Dockerfile builds with podman, on its pinned base, never pulling', async t => {
  const secret = CA !== undefined && existsSync(CA) ? ['--secret', `id=npm-ca,src=${CA}`] : []
  const started = Date.now()
  const build = await podman('build', '--pull=never', '--format', 'docker', ...secret, '--build-arg', `SOURCE_COMMIT=${COMMIT}`, '-t', IMAGE, '-t', 'image-backend:local', ROOT)
  succeeded(t, build, 'built')
  t.comment(`built in ${((Date.now() - started) / 1000).toFixed(0)} s`)
  const [inspected] = JSON.parse((await podman('image', 'inspect', IMAGE)).stdout)
  t.comment(`image size ${(inspected.Size / 1e6).toFixed(0)} MB`)
  t.equal(inspected.Config.User, 'node', 'runs as node')
  t.match(inspected.Healthcheck?.Test?.join(' '), /fetch\('http:\/\/127\.0\.0\.1:' \+ \(process\.env\.SERVICE_PORT \|\| 8080\) \+ '\/ping'\)/, 'the HEALTHCHECK kept (docker format): liveness, /ping')
  t.same(inspected.Config.Cmd, ['node', 'dist/server.js'], 'node is the main process: it gets SIGTERM')
})

t.test('the image holds no CA bundle or .npmrc of ours, and no compiler', async t => {
  const sizes = CA !== undefined && existsSync(CA) ? `-o -type f -size ${statSync(CA).size}c` : ''
  const found = await podman('run', '--rm', '--user', 'root', '--entrypoint', 'sh', IMAGE, '-c',
    `find / -xdev \\( -name .npmrc -o -name npm-ca ${sizes} \\) -print0 | xargs -0r sha256sum; command -v tsc gcc cc || true; ls /app/node_modules/typescript 2>&1 || true`)
  succeeded(t, found, 'looked through the image')
  const ours = CA !== undefined && existsSync(CA) ? createHash('sha256').update(readFileSync(CA)).digest('hex') : 'none'
  t.notMatch(found.stdout, ours, 'no copy of the CA bundle given to the build')
  t.notMatch(found.stdout, /\/(\.npmrc|npm-ca)\n/, 'no .npmrc, no secret left')
  t.match(found.stdout, /No such file or directory/, 'no TypeScript in node_modules')
  t.notMatch(found.stdout, /\/(tsc|gcc|cc)\n/, 'no compiler on PATH')
})

t.test('the image alone, as the README runs it: every route and format, the commands, its user, a clean stop', async t => {
  t.teardown(async () => {
    await podman('rm', '-f', ALONE)
    await podman('volume', 'rm', '-f', VOLUME)
  })
  const started = await podman('run', '-d', '--name', ALONE, '-e', 'STORAGE_BACKEND=local', '-e', `API_SECRET_KEY=${SECRET}`,
    '-v', `${VOLUME}:/app/data`, '-p', '127.0.0.1::8080', '-p', '127.0.0.1::8081', '--stop-timeout', '35', IMAGE)
  succeeded(t, started, 'started')
  const base = `http://${await published(ALONE, 8080)}`
  await until(async () => (await get(base, '/ready').catch(() => ({ status: 0 }))).status === 200, 'the container to be ready')
  t.same(await get(base, '/ping'), { status: 200, body: 'Pong!' })

  const exec = async (...args: string[]): Promise<string> => (await podman('exec', ALONE, ...args)).stdout.trim()
  t.equal(await exec('id', '-un'), 'node', 'the service runs as node')
  const health = await podman('healthcheck', 'run', ALONE)
  succeeded(t, health, 'the HEALTHCHECK passes')

  const dir = t.testdir()
  const keys: Record<string, string> = {}
  for (const [format, path] of Object.entries(everyFormat(dir))) {
    const { status, body } = await upload(base, path)
    t.equal(status, 200, `${format}: ${JSON.stringify(body)}`)
    keys[format] = body.filename
    const stem = String(body.filename).replace(/\.\w+$/, '')
    const thumbnail = await exec('identify', '-format', '%m %wx%h', `/app/data/incoming/${stem}MI.${format === 'png' || format === 'gif' ? format : 'jpg'}`)
    t.match(thumbnail, /^(JPEG|PNG|GIF) 400x267/, `${format}: its MI thumbnail`)
  }

  t.same(await protectedCall(base, '/publish', { filename: keys.jpg }), { status: 200, body: { success: true } })
  const rotated = await protectedCall(base, '/rotate', { filename: keys.jpg, rotation: '90' })
  t.equal(rotated.status, 200, JSON.stringify(rotated.body))
  t.equal(await exec('identify', '-format', '%wx%h', `/app/data/active/${String(rotated.body.filename)}`), '400x600', 'rotated a quarter turn')
  t.same(await protectedCall(base, '/delete', { filenames: rotated.body.filename }), { status: 200, body: { success: true } })
  t.equal(await exec('ls', '/app/data/active'), '', 'deleted with its thumbnails')

  const metrics = await get(`http://${await published(ALONE, 8081)}`, '/metrics')
  t.match(metrics.body, `service_info{version="0.1.0",commit="${COMMIT}"`, 'the metrics port, and the commit built')

  for (const command of [['image-backend-clean-incoming', '--dry-run'], ['image-backend-regenerate', '--missing', '--dry-run']]) {
    const ran = await podman('exec', ALONE, ...command)
    succeeded(t, ran, `${command[0]} on PATH`)
  }

  const stopped = await podman('stop', '-t', '35', ALONE)
  succeeded(t, stopped, 'podman stop')
  t.equal((await podman('inspect', ALONE, '--format', '{{.State.ExitCode}}')).stdout.trim(), '0', 'SIGTERM when idle: exit 0')
  t.match((await podman('logs', ALONE)).stderr + (await podman('logs', ALONE)).stdout, 'SIGTERM received, closing')
})

t.test('compose: the file refuses to start without MinIO credentials', async t => {
  const { MINIO_ROOT_USER: _user, MINIO_ROOT_PASSWORD: _password, ...rest } = process.env
  const env = { ...rest, API_SECRET_KEY: SECRET }
  const config = await run('docker-compose', ['-f', join(ROOT, 'docker-compose.yml'), 'config'], env)
  t.not(config.code, 0, said(config))
  t.match(config.stderr, 'set MINIO_ROOT_USER', 'says which variable')
})

t.test('compose, on S3: every call, the healthchecks, the cleaner stopped mid-page, an upload arriving through a stop', async t => {
  // A folder of its own, not t.testdir(): tap removes that before the teardown that needs the file.
  const dir = mkdtempSync(join(tmpdir(), 'image-backend-check-'))
  const file = checkComposeFile(dir, BASE)
  const env = { ...process.env, API_SECRET_KEY: SECRET, MINIO_ROOT_USER: 'S3RVER', MINIO_ROOT_PASSWORD: 'S3RVER' }
  const compose = async (...args: string[]): Promise<Ran> => await run('docker-compose', ['-p', PROJECT, '-f', file, ...args], env)
  t.teardown(async () => {
    const down = await compose('down', '-v', '--remove-orphans', '-t', '0')
    if (down.code !== 0) throw new Error(`compose down: ${said(down)}`)
    rmSync(dir, { recursive: true, force: true })
  })
  const up = await compose('up', '-d', '--no-build')
  succeeded(t, up, 'compose up')
  const images = `${PROJECT}_images_1`
  const cleaner = `${PROJECT}_clean-incoming_1`
  const base = `http://${await published(images, 8080)}`
  const s3 = `http://${await published(`${PROJECT}_minio_1`, 9000)}`
  await until(async () => (await get(base, '/ready').catch(() => ({ status: 0 }))).status === 200, 'the service to be ready on S3')

  const health = await podman('healthcheck', 'run', images)
  succeeded(t, health, 'the compose healthcheck (/ready) passes')
  const [cleanerConfig] = JSON.parse((await podman('inspect', cleaner)).stdout)
  t.notOk(cleanerConfig.Config.Healthcheck?.Test?.some((word: string) => word.includes('/ping')), 'the cleaner has no /ping healthcheck to fail')
  t.notMatch(cleanerConfig.State.Health?.Status ?? '', 'unhealthy')
  // The check publishes every port on loopback; the file must say so itself for these.
  const { services } = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'))
  t.same(services.images.ports, ['8080:8080', '127.0.0.1:8081:8081'], 'the metrics on the host\'s loopback only')
  t.same(services.minio.ports, ['127.0.0.1:9000:9000', '127.0.0.1:9001:9001'], 'MinIO on the host\'s loopback only')
  t.match(await published(images, 8081), /^127\.0\.0\.1:/, 'published there')

  const client = new S3Client({ endpoint: s3, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } })
  t.teardown(() => client.destroy())
  const keys = async (bucket: string): Promise<string[]> => ((await client.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map(object => object.Key ?? '').sort()
  const photos = everyFormat(dir)
  const uploaded = await upload(base, photos.heic)
  t.equal(uploaded.status, 200, JSON.stringify(uploaded.body))
  const key = String(uploaded.body.filename)
  const stem = key.replace(/\.\w+$/, '')
  t.same(await keys('images-incoming'), ['BI', 'MI', 'SI', ''].map(suffix => `${stem}${suffix}.jpg`).sort(), 'the original and its thumbnails in incoming')
  t.same(await protectedCall(base, '/publish', { filename: key }), { status: 200, body: { success: true } })
  t.same(await keys('images-active'), ['BI', 'MI', 'SI', ''].map(suffix => `${stem}${suffix}.jpg`).sort(), 'published')
  const rotated = await protectedCall(base, '/rotate', { filename: key, rotation: '-90' })
  t.equal(rotated.status, 200, JSON.stringify(rotated.body))
  const original = join(dir, 'rotated.jpg')
  const object = await client.send(new GetObjectCommand({ Bucket: 'images-active', Key: rotated.body.filename }))
  writeFileSync(original, await object.Body!.transformToByteArray())
  t.match(identify(original), { format: 'JPEG', width: 400, height: 600 }, 'rotated on S3')
  t.same(await protectedCall(base, '/delete', { filenames: rotated.body.filename }), { status: 200, body: { success: true } })
  t.same(await keys('images-active'), [], 'deleted')
  const dryRun = await compose('exec', '-T', 'images', 'image-backend-clean-incoming', '--dry-run')
  succeeded(t, dryRun, 'compose exec images image-backend-clean-incoming --dry-run')

  // The cleaner's first listing is held by the stand-in: stopped now, it is mid-page.
  await until(async () => (await get(s3, '/check/held')).body !== '0', 'the cleaner\'s listing to be under way')
  const stopping = compose('stop', 'clean-incoming')
  await until(async () => (await podman('logs', cleaner)).stderr.includes('SIGTERM received: stopping after the work under way'), 'node in the cleaner to get SIGTERM')
  await fetch(`${s3}/check/release`, { method: 'POST' })
  const stopped = await stopping
  succeeded(t, stopped, 'compose stop clean-incoming')
  t.equal((await podman('inspect', cleaner, '--format', '{{.State.ExitCode}}')).stdout.trim(), '143', 'the cleaner exits 143')
  t.match((await podman('logs', cleaner)).stdout, /Stopped by SIGTERM: Removed 0 files \(0 images\) older than 7200 s from incoming\./, 'and says what it removed')

  // An upload still arriving when the stop comes, at 256 KB/s: it outlasts Docker's default 10 s grace.
  let resume = (): void => {}
  const { started, answer } = slowUpload(base, largeJpeg(dir), 256 * 1024, new Promise(resolve => { resume = resolve }))
  await started
  const stoppingService = compose('stop', 'images')
  await until(async () => (await podman('logs', images)).stdout.includes('SIGTERM received, closing'), 'the service to get SIGTERM')
  resume()
  const late = await answer
  t.equal(late.status, 200, `the upload finishes: ${JSON.stringify(late.body)}`)
  succeeded(t, await stoppingService, 'compose stop images')
  t.equal((await podman('inspect', images, '--format', '{{.State.ExitCode}}')).stdout.trim(), '0', 'then the service exits 0, within compose\'s grace')
  t.ok((await keys('images-incoming')).includes(String(late.body.filename)), 'the late upload is stored')
})
