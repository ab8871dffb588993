import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import t from 'tap'
import { damaged, deleteImages, makeImage, publish, rotate, testApp, upload } from './helpers.js'
import { promtool, sample, sampleIn, scrape } from './prometheus.js'
import { until } from './until.js'
import { buildInfo } from '../src/build/version.js'

// What promtool's linter says, and nothing else: the older service's counters, kept under their
// names for its dashboards, and three of prom-client's default gauges.
const KNOWN_LINT = [
  ...['uploaded_images', 'published_images', 'published_thumbnails_error', 'variant_jobs_taken_over', 'variant_jobs_deferred', 'deleted_images', 'rotated_images', 'error_counter']
    .map(name => `${name} counter metrics should have "_total" suffix`),
  'error_counter metric name should not include type \'counter\'',
  ...['handles', 'requests', 'resources'].map(name => `nodejs_active_${name}_total non-counter metrics should not have "_total" suffix`)
].sort()

t.test('the commit is the one the build wrote beside the code, unknown without it', async t => {
  const dir = t.testdir({ 'package.json': '{ "version": "9.8.7" }', dist: { build: { 'build-info.json': '{ "commit": "4b825dc6" }' } }, src: { build: {} } })
  t.same(buildInfo(pathToFileURL(join(dir, 'dist', 'build', '/'))), { version: '9.8.7', commit: '4b825dc6' })
  t.same(buildInfo(pathToFileURL(join(dir, 'src', 'build', '/'))), { version: '9.8.7', commit: 'unknown' })
})

t.test('the metrics server shows what moved, parsed by promtool, on its own port only', async t => {
  const { app } = await testApp(t, { AUTO_ORIENT_ORIGINAL: '1' })
  await app.ready()
  const before = await scrape(app)
  t.equal(before.status, 200)
  t.equal(sampleIn(before.text, 'uploaded_images{format="png"}'), undefined, 'nothing uploaded yet')
  t.match(before.text, `service_info{version="0.1.0",commit="${buildInfo().commit}",node_version="${process.version}",env="development"} 1`)
  t.match(before.text, /process_resident_memory_bytes \d+/, 'default metrics')

  const dir = t.testdir()
  const { body } = await upload(app, makeImage(dir, 'a.png', '600x400'))
  await upload(app, makeImage(dir, 'b.jpg', '600x400'))
  await upload(app, makeImage(dir, 'c.jpg', '60x40'))
  const cut = await upload(app, damaged(makeImage(dir, 'd.png', '60x40'), join(dir, 'e.png'), bytes => bytes.subarray(0, 60)))
  t.equal(cut.statusCode, 400)
  await publish(app, body.filename)
  const { body: rotated } = await rotate(app, body.filename)
  await deleteImages(app, [rotated.filename, '1475660224_882910455.jpg'])
  await publish(app, '1475660224_882910455.jpg')

  const { text } = await scrape(app)
  t.equal(sampleIn(text, 'uploaded_images{format="png"}'), 1)
  t.equal(sampleIn(text, 'uploaded_images{format="jpg"}'), 2)
  t.equal(sampleIn(text, 'published_images'), 1)
  t.equal(sampleIn(text, 'rotated_images'), 1)
  t.equal(sampleIn(text, 'deleted_images'), 2)
  t.equal(sampleIn(text, 'error_counter'), 2, 'the damaged upload and the 404 publish')
  t.equal(sampleIn(text, 'published_thumbnails_error'), 0)
  // One observation a pass, whatever the number of sizes it makes: its real duration.
  t.equal(sampleIn(text, 'thumbnail_generations_time_count{format="jpg",size="BI,MI,SI"}'), 2)
  t.equal(sampleIn(text, 'thumbnail_generations_time_count{format="png",size="BI,MI,SI"}'), 2, 'upload and rotate')
  t.equal(sampleIn(text, 'image_command_duration_seconds_count{program="convert",operation="thumbnails",format="jpg"}'), 2)
  t.equal(sampleIn(text, 'image_command_duration_seconds_count{program="convert",operation="rotate",format="png"}'), 1)
  t.ok((sampleIn(text, 'image_command_duration_seconds_count{program="identify",operation="check",format="jpg"}') ?? 0) >= 2, 'each JPEG upload checked')
  const command = sampleIn(text, 'image_command_duration_seconds_sum{program="convert",operation="thumbnails",format="jpg"}') ?? 0
  const passes = sampleIn(text, 'thumbnail_generations_time_sum{format="jpg",size="BI,MI,SI"}') ?? 0
  t.ok(command > 0 && passes >= command, `the passes (${passes} s) take the command's time (${command} s), not a share of it`)
  t.match(text, /image_command_failures_total\{program="(identify|convert)",operation="(check|thumbnails)"\} 1/, 'the damaged PNG\'s failed command')
  t.equal(sampleIn(text, 'thumbnail_rotations_time_count'), 1)
  t.equal(sampleIn(text, 'autoorient_time_count'), 2, 'the JPEG uploads')
  t.equal(sampleIn(text, 'imaging_queue_running'), 0)
  t.equal(sampleIn(text, 'imaging_queue_waiting'), 0)
  t.match(text, /http_request_duration_seconds_count\{method="POST",route="\/upload",status_code="200"\} 3/)
  t.notMatch(text, /summary/, 'request durations as a histogram only')

  const { code, problems } = promtool(text)
  t.ok(code === 0 || code === 3, `parsed (exit ${code}): ${problems.join('; ')}`)
  t.same(problems.sort(), KNOWN_LINT, 'lint: only the older names and the default gauges')

  const onServicePort = await app.inject({ method: 'GET', url: '/metrics' })
  t.equal(onServicePort.statusCode, 404)
})

t.test('variants_owed counts the markers in incoming at each sweep, whoever owes them', async t => {
  const { app, config } = await testApp(t, { GENERATE_WEBP: '1', WORK_LEASE: '300' })
  // Owed by another instance: for images that are gone, so once taken over they are done at once.
  const keys = ['1732790000_0000000001.jpg', '1732790000_0000000002.jpg', '1732790000_0000000003.png']
  await app.ready()
  await until(async () => await sample(app, 'variants_owed') === 0, 'variants_owed 0')
  for (const key of keys) writeFileSync(join(config.incomingFolder, `pending-${key}`), '')
  await until(async () => await sample(app, 'variants_owed') === 3, 'variants_owed 3')
  await until(async () => await sample(app, 'variants_owed') === 0, 'variants_owed 0 again')
  t.equal(await sample(app, 'variant_jobs_taken_over'), 3, 'then taken over and finished')
})

t.test('METRICS_PATH moves it; DISABLE_PROMETHEUS_METRICS=1 turns it off', async t => {
  const moved = await testApp(t, { METRICS_PATH: '/internal/prom' })
  await moved.app.ready()
  const { port } = moved.app.metricsServer?.server.address() as { port: number }
  t.equal((await fetch(`http://127.0.0.1:${port}/internal/prom`)).status, 200)
  t.equal((await fetch(`http://127.0.0.1:${port}/metrics`)).status, 404)

  const off = await testApp(t, { DISABLE_PROMETHEUS_METRICS: '1' })
  await off.app.ready()
  t.equal(off.app.metricsServer, undefined)
  t.equal((await off.app.inject({ method: 'GET', url: '/metrics' })).statusCode, 404)
})
