import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import fp from 'fastify-plugin'

// Once closing, a body that does not move for this long is given up on.
const CLOSING_IDLE_MS = 1000

/**
 * Cuts off clients that stop sending. The server's socket timeout (BODY_IDLE_TIMEOUT) fires on a
 * connection quiet for that long: it is closed unless its request is whole and being worked on,
 * which may take longer than any body. On close, a body still arriving has CLOSING_IDLE_MS
 * between bytes, so a slow client cannot hold a shutdown; the requests' own cleanup removes
 * their temp work.
 */
export default fp(async app => {
  const inFlight = new Map<Socket, IncomingMessage>()
  const bodyPending = (socket: Socket): boolean => !(inFlight.get(socket)?.complete ?? false)
  app.server.on('timeout', (socket: Socket) => {
    if (bodyPending(socket)) socket.destroy()
  })
  app.addHook('onRequest', async request => { inFlight.set(request.raw.socket, request.raw) })
  const done = async (request: { raw: IncomingMessage }): Promise<void> => {
    if (inFlight.get(request.raw.socket) === request.raw) inFlight.delete(request.raw.socket)
  }
  app.addHook('onResponse', done)
  app.addHook('onRequestAbort', done)
  app.addHook('preClose', async () => {
    for (const socket of inFlight.keys()) if (bodyPending(socket)) socket.setTimeout(CLOSING_IDLE_MS)
  })
}, { name: 'timeouts' })
