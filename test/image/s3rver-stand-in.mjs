// MinIO's stand-in in the image check's compose run (Docker Hub, and so MinIO, is out of reach):
// s3rver on :9000 with both buckets, path-style only, since the services call it by the host name
// `minio`. While HOLD_FROM names a compose service, that service's requests wait until
// `POST /check/release`, so that the check can stop the cleaner while its listing is under way;
// `GET /check/held` says how many wait.
import { lookup } from 'node:dns/promises'
import S3rver from 's3rver'

const held = []
let holdFrom = process.env.HOLD_FROM
let heldAddress

const server = new S3rver({
  address: '0.0.0.0',
  port: 9000,
  silent: true,
  vhostBuckets: false,
  directory: '/data',
  configureBuckets: [{ name: 'images-incoming' }, { name: 'images-active' }]
})
await server.run()
const handlers = server.httpServer.listeners('request')
server.httpServer.removeAllListeners('request')
server.httpServer.on('request', async (request, response) => {
  const pass = () => { for (const handler of handlers) handler.call(server.httpServer, request, response) }
  if (request.url === '/check/held') return response.end(String(held.length))
  if (request.method === 'POST' && request.url === '/check/release') {
    holdFrom = undefined
    for (const release of held.splice(0)) release()
    return response.end('released')
  }
  if (holdFrom !== undefined) {
    heldAddress ??= (await lookup(holdFrom).catch(() => undefined))?.address
    if (request.socket.remoteAddress?.replace(/^::ffff:/, '') === heldAddress) return held.push(pass)
  }
  pass()
})
console.log('s3rver stand-in on :9000')
