import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import tap from 'tap'
import { buildApp } from '../src/app.js'
import { loadConfig, type Config } from '../src/config/config.js'
import { Imaging, type ImagingOptions } from '../src/imaging/imaging.js'
import { Queue } from '../src/imaging/queue.js'
import { createRunner, type RunReport, type Runner, type Scratch } from '../src/imaging/run.js'
import { DEFAULT_RESIZING } from '../src/config/resizing.js'
import { TempFolder } from '../src/storage/temp-folder.js'
export { withOrientation } from './exif.js'

export const SECRET = 'test-secret'

export interface TestContext {
  testdir: (fixture?: Record<string, string>) => string
  teardown: (fn: () => unknown) => void
}

/** A config on fresh folders of this test's own, with env-style overrides. */
export function testConfig (t: TestContext, env: Record<string, string> = {}): Config {
  // Not t.testdir(): the test may want that for its own files, and a second call empties it.
  const dir = mkdtempSync(join(tmpdir(), 'image-backend-test-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return loadConfig({
    TEMP_FOLDER: join(dir, 'temp'),
    INCOMING_FOLDER: join(dir, 'incoming'),
    ACTIVE_FOLDER: join(dir, 'active'),
    API_SECRET_KEY: SECRET,
    LOG_LEVEL: 'silent',
    // Tests listen on loopback only; the metrics server takes any free port.
    HOST: '127.0.0.1',
    METRICS_PORT: '0',
    ...env
  })
}

/** The same image with bytes changed by `damage`, at `path`. */
export function damaged (intact: string, path: string, damage: (bytes: Buffer) => Buffer): string {
  writeFileSync(path, damage(readFileSync(intact)))
  return path
}

export async function testApp (t: TestContext, env: Record<string, string> = {}): Promise<{ app: FastifyInstance, config: Config }> {
  const config = testConfig(t, env)
  const app = await buildApp(config)
  t.teardown(async () => await app.close())
  return { app, config }
}

/** Runs the real ImageMagick `convert` with an argument list. */
export function magick (...args: string[]): Buffer {
  return execFileSync('convert', args, { maxBuffer: 256 * 1024 * 1024 })
}

export interface ImageInfo {
  format: string
  width: number
  height: number
  frames: number
  orientation: string
}

/** What ImageMagick reads in a file: format, size of the first frame, frame count, EXIF orientation. */
export function identify (path: string): ImageInfo {
  const lines = execFileSync('identify', ['-format', '%m %w %h %[orientation]\n', path]).toString().trim().split('\n')
  const [format, width, height, orientation] = lines[0].split(' ')
  return { format, width: Number(width), height: Number(height), frames: lines.length, orientation }
}

/**
 * A test picture, the same on every run: a gradient of `size`, then `args`, written by `coder`
 * (default: the name's extension) to `name` in `dir`.
 */
export function makeImage (dir: string, name: string, size: string, { coder, args = [] }: { coder?: string, args?: string[] } = {}): string {
  const path = join(dir, name)
  magick('-size', size, 'gradient:red-blue', ...args, coder === undefined ? path : `${coder}:${path}`)
  return path
}

/** A multipart/form-data body as a browser sends it. */
export function multipart (parts: Array<{ name: string, value: Buffer | string, filename?: string, type?: string }>): { payload: Buffer, headers: Record<string, string> } {
  const boundary = '----test' + Math.random().toString(16).slice(2)
  const chunks = parts.flatMap(part => [
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"` +
      (part.filename === undefined ? '' : `; filename="${part.filename}"`) + '\r\n' +
      (part.type === undefined ? '' : `Content-Type: ${part.type}\r\n`) + '\r\n'),
    Buffer.isBuffer(part.value) ? part.value : Buffer.from(part.value),
    Buffer.from('\r\n')
  ])
  return {
    payload: Buffer.concat([...chunks, Buffer.from(`--${boundary}--\r\n`)]),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }
  }
}

/** Uploads a file the way the browser does and returns the parsed answer. */
export async function upload (app: FastifyInstance, path: string, filename = 'photo.jpg', type = 'image/jpeg'): Promise<{ statusCode: number, body: any }> {
  const form = multipart([{ name: 'file', value: readFileSync(path), filename, type }])
  return answerOf(await app.inject({ method: 'POST', url: '/upload', ...form }))
}

export async function postJson (app: FastifyInstance, url: string, body: unknown): Promise<{ statusCode: number, body: any }> {
  return answerOf(await app.inject({ method: 'POST', url, payload: body as object }))
}

/** The status and the body: parsed when JSON (a success), the text as it is when plain text (an error). */
export function answerOf (response: { statusCode: number, headers: Record<string, unknown>, body: string }): { statusCode: number, body: any } {
  const json = String(response.headers['content-type']).startsWith('application/json')
  return { statusCode: response.statusCode, body: json ? JSON.parse(response.body) : response.body }
}

export function filesIn (dir: string): string[] {
  return readdirSync(dir).sort()
}

/** What is left in a temp folder: each process's own folder is looked into; none once every request and job is done. */
export function workFiles (tempFolder: string): string[] {
  return filesIn(tempFolder).flatMap(name => name.startsWith('proc-') ? filesIn(join(tempFolder, name)).map(file => `${name}/${file}`) : [name])
}

/** Scratch folders for image commands, under the OS temp folder, removed when the test file ends. */
function testScratch (): Scratch {
  const folder = mkdtempSync(join(tmpdir(), 'image-backend-imaging-'))
  tap.teardown(() => rmSync(folder, { recursive: true, force: true }))
  const temp = new TempFolder(folder)
  return async () => await temp.workspace()
}

/** For `variants.drain()`, whose limit is for shutdown: a test waits under tap's timeout alone. */
export const NO_LIMIT_MS = 2 ** 31 - 1

// A ceiling for a stuck command only: far past what any test's command needs on a busy machine.
export const COMMAND_LIMIT_MS = 120_000

/** An Imaging as the plugin builds it. */
export function testImaging (options: Partial<ImagingOptions> = {}): Imaging {
  return new Imaging({ resizing: DEFAULT_RESIZING, concurrency: 2, timeoutMs: COMMAND_LIMIT_MS, scratch: testScratch(), ...options })
}

/** The runner every image command goes through (queue, time limit, policy), for one command at a time. */
export function testRunner (timeoutMs = COMMAND_LIMIT_MS, report?: RunReport): Runner {
  return createRunner(new Queue(1), timeoutMs, testScratch(), report)
}

/** Publishes `filename` as the API server does, with the secret. */
export async function publish (app: FastifyInstance, filename: unknown): Promise<{ statusCode: number, body: any }> {
  return await postJson(app, '/publish', { secret: SECRET, filename })
}

/** Rotates `filename` as the API server does (clockwise by default); the answer holds the new key. */
export async function rotate (app: FastifyInstance, filename: unknown, rotation?: unknown): Promise<{ statusCode: number, body: any }> {
  return await postJson(app, '/rotate', rotation === undefined ? { secret: SECRET, filename } : { secret: SECRET, filename, rotation })
}

/** Deletes `filenames` (one key or a list) and their families, as the API server does. */
export async function deleteImages (app: FastifyInstance, filenames: unknown): Promise<{ statusCode: number, body: any }> {
  return await postJson(app, '/delete', { secret: SECRET, filenames })
}
