import { FORMAT_RECORDS } from '../formats.js'

/** The Content-Type an object is served with, from its key's extension. */
export function contentType (key: string): string {
  const ext = key.slice(key.lastIndexOf('.') + 1)
  return Object.hasOwn(FORMAT_RECORDS, ext) ? FORMAT_RECORDS[ext as keyof typeof FORMAT_RECORDS].mime : 'application/octet-stream'
}
