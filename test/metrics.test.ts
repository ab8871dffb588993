import t from 'tap'
import { makeImage, postJson, SECRET, testApp, upload } from './helpers.js'

async function scrape (app: any): Promise<{ status: number, text: string }> {
  const { port } = app.serviceMetrics.server.server.address()
  const response = await fetch(`http://127.0.0.1:${port}/metrics`)
  return { status: response.status, text: await response.text() }
}

/** The value of one sample line, e.g. `uploaded_images{format="png"}`. */
function sample (text: string, name: string): number | undefined {
  const line = text.split('\n').find(row => row.startsWith(name + ' '))
  return line === undefined ? undefined : Number(line.slice(name.length + 1))
}

t.test('the metrics server shows counters that moved, on its own port only', async t => {
  const { app } = await testApp(t, { AUTO_ORIENT_ORIGINAL: '1' })
  await app.ready()
  const before = await scrape(app)
  t.equal(before.status, 200)
  t.equal(sample(before.text, 'uploaded_images{format="png"}'), undefined, 'nothing uploaded yet')
  t.match(before.text, /service_info\{version="\d+\.\d+\.\d+",env="development"\} 1/)
  t.match(before.text, /process_resident_memory_bytes \d+/, 'default metrics')

  const dir = t.testdir()
  const { body } = await upload(app, makeImage(dir, 'a.png', '600x400'))
  await upload(app, makeImage(dir, 'b.jpg', '600x400'))
  await upload(app, makeImage(dir, 'c.jpg', '60x40'))
  await postJson(app, '/publish', { secret: SECRET, filename: body.filename })
  const { body: rotated } = await postJson(app, '/rotate', { secret: SECRET, filename: body.filename })
  await postJson(app, '/delete', { secret: SECRET, filenames: [rotated.filename, '1475660224_882910455.jpg'] })
  await postJson(app, '/publish', { secret: SECRET, filename: '1475660224_882910455.jpg' })

  const after = (await scrape(app)).text
  t.equal(sample(after, 'uploaded_images{format="png"}'), 1)
  t.equal(sample(after, 'uploaded_images{format="jpg"}'), 2)
  t.equal(sample(after, 'published_images'), 1)
  t.equal(sample(after, 'rotated_images'), 1)
  t.equal(sample(after, 'deleted_images'), 2)
  t.equal(sample(after, 'error_counter'), 1, 'the 404 publish')
  t.equal(sample(after, 'published_thumbnails_error'), 0)
  t.equal(sample(after, 'thumbnail_generations_time_count{format="jpg",size="MI"}'), 2)
  t.equal(sample(after, 'thumbnail_generations_time_count{format="png",size="SI"}'), 2, 'upload and rotate')
  t.equal(sample(after, 'thumbnail_rotations_time_count'), 1)
  t.equal(sample(after, 'autoorient_time_count'), 2, 'the JPEG uploads')
  t.equal(sample(after, 'imaging_queue_running'), 0)
  t.equal(sample(after, 'imaging_queue_waiting'), 0)
  t.match(after, /http_request_duration_seconds_count\{method="POST",route="\/upload",status_code="200"\} 3/)

  const onServicePort = await app.inject({ method: 'GET', url: '/metrics' })
  t.equal(onServicePort.statusCode, 404)
})

t.test('METRICS_PATH moves it; DISABLE_PROMETHEUS_METRICS=1 turns it off', async t => {
  const moved = await testApp(t, { METRICS_PATH: '/internal/prom' })
  await moved.app.ready()
  const { port } = (moved.app.serviceMetrics.server as any).server.address()
  t.equal((await fetch(`http://127.0.0.1:${port}/internal/prom`)).status, 200)
  t.equal((await fetch(`http://127.0.0.1:${port}/metrics`)).status, 404)

  const off = await testApp(t, { DISABLE_PROMETHEUS_METRICS: '1' })
  await off.app.ready()
  t.equal(off.app.serviceMetrics.server, undefined)
  t.equal((await off.app.inject({ method: 'GET', url: '/metrics' })).statusCode, 404)
})
