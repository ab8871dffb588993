import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse, stringify } from 'yaml'

const ROOT = join(import.meta.dirname, '..', '..')

/**
 * docker-compose.yml as the check runs it, written to `dir`: the `images` and `clean-incoming`
 * services as they are (environment, healthchecks, grace, init, command) but on the image just
 * built; every published port on a free host port at the address the file gives (127.0.0.1 when
 * it gives none: tests listen on loopback); MinIO (out of reach) stood in by s3rver on the base
 * image, from the project's node_modules, holding `clean-incoming`'s requests until released; the
 * buckets job a no-op, as s3rver makes the buckets.
 */
export function checkComposeFile (dir: string, baseImage: string): string {
  const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true })
  for (const key of Object.keys(compose)) if (key.startsWith('x-')) delete compose[key]
  const { services } = compose
  for (const service of Object.values<any>(services)) {
    delete service.build
    service.ports = service.ports?.map((port: string) => {
      const parts = port.split(':')
      return parts.length === 3 ? `${parts[0]}::${parts[2]}` : `127.0.0.1::${parts[1]}`
    })
  }
  services.minio = {
    image: baseImage,
    command: ['node', '--openssl-legacy-provider', '/check/s3rver-stand-in.mjs'],
    environment: { HOLD_FROM: 'clean-incoming' },
    volumes: [
      'minio-data:/data',
      `${join(ROOT, 'node_modules')}:/check/node_modules:ro`,
      `${join(ROOT, 'test', 'image', 's3rver-stand-in.mjs')}:/check/s3rver-stand-in.mjs:ro`
    ],
    ports: services.minio.ports.filter((port: string) => port.endsWith(':9000'))
  }
  // Started, not healthy: podman runs no healthcheck on its own without systemd.
  services.buckets = { image: baseImage, command: ['true'], depends_on: { minio: { condition: 'service_started' } } }
  const file = join(dir, 'docker-compose.yml')
  writeFileSync(file, stringify(compose))
  return file
}
