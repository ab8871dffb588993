import { request } from 'node:http'
import { readFileSync } from 'node:fs'
import { setTimeout } from 'node:timers/promises'
import { multipart, SECRET } from '../helpers.js'

/** An answer: its status and its body, parsed when it is JSON. */
export interface Answer {
  status: number
  body: any
}

async function answer (response: Response): Promise<Answer> {
  const text = await response.text()
  const json = response.headers.get('content-type')?.startsWith('application/json') === true
  return { status: response.status, body: json ? JSON.parse(text) : text }
}

export async function get (base: string, path: string): Promise<Answer> {
  return await answer(await fetch(`${base}${path}`))
}

/** Uploads a file as the browser does. */
export async function upload (base: string, path: string): Promise<Answer> {
  const form = new FormData()
  form.append('file', new Blob([readFileSync(path)]), 'photo')
  return await answer(await fetch(`${base}/upload`, { method: 'POST', body: form }))
}

/** A protected call, as the API server makes it: the secret and the fields in a form. */
export async function protectedCall (base: string, path: string, fields: Record<string, string>): Promise<Answer> {
  const body = new URLSearchParams({ secret: SECRET, ...fields })
  return await answer(await fetch(`${base}${path}`, { method: 'POST', body }))
}

/**
 * Uploads a file at a client's pace (`bytesPerSecond`, in chunks a quarter of a second apart):
 * `started` resolves once the first chunk is sent and `resume` is awaited before the rest.
 */
export function slowUpload (base: string, path: string, bytesPerSecond: number, resume: Promise<void>): { started: Promise<void>, answer: Promise<Answer> } {
  const { payload, headers } = multipart([{ name: 'file', value: readFileSync(path), filename: 'large.jpg', type: 'image/jpeg' }])
  const chunk = Math.round(bytesPerSecond / 4)
  let started = (): void => {}
  const startedPromise = new Promise<void>(resolve => { started = resolve })
  const answerPromise = new Promise<Answer>((resolve, reject) => {
    const call = request(`${base}/upload`, { method: 'POST', headers: { ...headers, 'content-length': String(payload.length) } }, response => {
      const parts: Buffer[] = []
      response.on('data', part => parts.push(part))
      response.on('end', () => {
        const text = Buffer.concat(parts).toString()
        resolve({ status: response.statusCode ?? 0, body: response.headers['content-type']?.startsWith('application/json') === true ? JSON.parse(text) : text })
      })
    })
    call.on('error', reject)
    const send = async (): Promise<void> => {
      call.write(payload.subarray(0, chunk))
      started()
      await resume
      for (let at = chunk; at < payload.length; at += chunk) {
        await setTimeout(250)
        call.write(payload.subarray(at, at + chunk))
      }
      call.end()
    }
    send().catch(reject)
  })
  return { started: startedPromise, answer: answerPromise }
}
