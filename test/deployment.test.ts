import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { parse } from 'yaml'

const ROOT = join(import.meta.dirname, '..')
const read = (file: string): string => readFileSync(join(ROOT, file), 'utf8')

/** The packages an `apt-get install` line names (its options left out). */
function packages (line: string): string[] {
  const after = /apt-get install (.*?)(?:&&|>|\\|$)/.exec(line)?.[1] ?? ''
  return after.split(/\s+/).filter(word => word !== '' && !word.startsWith('-')).sort()
}

const installLines = (text: string): string[] => text.split('\n').filter(line => line.includes('apt-get install'))

t.test('the README, the Dockerfile and CI install the same programs, and no unused one', async t => {
  const [service, tests] = installLines(read('README.md')).map(packages)
  const [docker] = installLines(read('Dockerfile')).map(packages)
  const [ci] = installLines(read('.ci/run')).map(packages)
  t.same(docker, service.filter(name => name !== 'curl'), 'the image: what the service spawns (curl is the first run\'s)')
  t.same(ci, [...service, ...tests].sort(), 'CI: the README\'s two lines')
  for (const list of [service, tests, docker, ci]) t.notOk(list.includes('file'), 'nothing runs `file`')
})

t.test('compose: pinned images, restarted, metrics on loopback, a grace above the drain, incoming cleaned on a schedule', async t => {
  const { services } = parse(read('docker-compose.yml'))
  for (const [name, service] of Object.entries<any>(services)) {
    if (service.build !== undefined) t.equal(service.image, 'image-backend:local', `${name}: built here`)
    else t.match(service.image, /^[\w/.-]+:RELEASE\.\d{4}-\d\d-\d\dT[\d-]+Z$/, `${name}: a pinned release`)
  }
  for (const name of ['images', 'clean-incoming', 'minio']) t.equal(services[name].restart, 'unless-stopped', `${name} restarts`)
  t.notOk('restart' in services.buckets, 'the one-shot job is not restarted')
  t.same(services.images.ports, ['8080:8080', '127.0.0.1:8081:8081'], 'the metrics port on the host\'s loopback only')
  t.same(services.minio.ports, ['127.0.0.1:9000:9000', '127.0.0.1:9001:9001'], 'MinIO on the host\'s loopback only')
  const drainSeconds = Number(/closeWithGrace\(\{ delay: (\d+)_000 \}/.exec(read('src/server.ts'))?.[1])
  t.ok(Number(/^(\d+)s$/.exec(services.images.stop_grace_period)?.[1]) > drainSeconds, `the stop grace is longer than the ${drainSeconds} s drain`)
  t.same(services['clean-incoming'].environment, services.images.environment, 'the cleaner reads what the service reads')
  t.same(services['clean-incoming'].healthcheck, { disable: true }, 'the cleaner, where nothing listens, has no healthcheck')
  const [, , loop] = services['clean-incoming'].command
  t.match(loop, /trap 'kill -TERM \$\$child; wait \$\$child; exit 143' TERM;/, 'SIGTERM passed on to node')
  t.match(loop, /node dist\/bin\/clean-incoming\.js & child=\$\$!; wait \$\$child; sleep 3600 &/)
  for (const name of ['MINIO_ROOT_USER', 'MINIO_ROOT_PASSWORD']) t.match(read('docker-compose.yml'), `\${${name}:?set ${name}}`, `${name} required, no default`)
  t.ok(existsSync(join(ROOT, 'dist', 'bin', 'clean-incoming.js')), 'the program it runs is built')
})

t.test('the Dockerfile builds on a pinned base with the commit and puts the commands on PATH by their bin names', async t => {
  const dockerfile = read('Dockerfile')
  const bases = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map(match => match[1])
  t.same(bases, Array(2).fill(bases[0]), 'both stages on one base')
  t.match(bases[0], /^node:24\.\d+\.\d+-bookworm-slim$/, 'pinned to a release of Node 24')
  const { bin } = JSON.parse(read('package.json'))
  for (const [name, path] of Object.entries<string>(bin)) t.match(dockerfile, `ln -s /app/${path} /usr/local/bin/${name}`, name)
  t.match(dockerfile, 'SOURCE_COMMIT="$SOURCE_COMMIT" npm run build')
})
