import { once } from 'node:events'
import { connect } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { until } from './until.js'

/**
 * Listens, then sends `head` (a request line and headers announcing a large body) and the start of
 * that body on a new connection, never the rest: the whole answer, headers and JSON body, as text.
 */
export async function answerBeforeBody (app: FastifyInstance, head: string, bodyStart: string): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as { port: number }
  const socket = connect(port, '127.0.0.1')
  await once(socket, 'connect')
  let answer = ''
  socket.on('data', chunk => { answer += String(chunk) })
  socket.write(head)
  socket.write(bodyStart)
  await until(() => /\r\n\r\n[^]*\}/.test(answer), 'the whole answer')
  socket.destroy()
  return answer
}
