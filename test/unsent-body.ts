import { once } from 'node:events'
import { connect } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { until } from './until.js'

/**
 * Listens, then sends `head` (a request line and headers announcing a large body) and the start of
 * that body on a new connection, never the rest: the whole answer, headers and body (as long as
 * its Content-Length says), as text.
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
  await until(() => whole(answer), 'the whole answer')
  socket.destroy()
  return answer
}

function whole (answer: string): boolean {
  const [head, ...body] = answer.split('\r\n\r\n')
  const length = /\r\ncontent-length: (\d+)/i.exec(head)?.[1]
  return body.length > 0 && length !== undefined && Buffer.byteLength(body.join('\r\n\r\n')) >= Number(length)
}
