import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { CONVERTED_FORMATS, EXTRA_FORMATS, FORMAT_RECORDS, FORMATS, type UploadFormat } from '../src/formats.js'
import { keyPattern } from '../src/keys.js'
import { contentType } from '../src/storage/content-type.js'

const POLICY = readFileSync(join(import.meta.dirname, '..', 'imagemagick', 'policy.xml'), 'utf8')

/** The coders the policy grants exactly these rights. */
function granted (rights: string): string[] {
  const pattern = new RegExp(`<policy domain="coder" rights="${rights}" pattern="\\{([A-Z0-9,]+)\\}" />`).exec(POLICY)?.[1]
  return pattern?.split(',') ?? []
}

t.test('the lists derive from the records: stored, converted on upload, made as variants', async t => {
  t.same(FORMATS, ['jpg', 'png', 'gif', 'svg'])
  t.same(CONVERTED_FORMATS, ['heic', 'webp', 'avif'])
  t.same(EXTRA_FORMATS, ['webp', 'avif'])
  t.equal(keyPattern([]), '^\\d{10}_\\d{1,10}\\.(jpg|png|gif|svg)$', 'keys end in a stored format')
})

t.test('imagemagick/policy.xml lets each coder do what its record needs, and nothing else', async t => {
  const readWrite = granted('read \\| write')
  const readOnly = granted('read')
  for (const [format, record] of Object.entries(FORMAT_RECORDS) as Array<[UploadFormat, (typeof FORMAT_RECORDS)[UploadFormat]]>) {
    if (!('coder' in record)) {
      t.notOk([...readWrite, ...readOnly].includes(format.toUpperCase()), `${format}: never read by ImageMagick`)
      continue
    }
    const writes = record.stored || 'variantSwitch' in record
    t.ok((writes ? readWrite : readOnly).includes(record.coder), `${format}: ${record.coder} ${writes ? 'read and written' : 'read only'}`)
  }
  const coders: string[] = Object.values(FORMAT_RECORDS).flatMap(record => 'coder' in record ? [record.coder] : [])
  t.same([...readWrite, ...readOnly].filter(coder => !coders.includes(coder)).sort(), ['JPG', 'NULL'], 'beyond them, only the JPEG alias and null:')
})

t.test('a stored file is served with its record\'s type', async t => {
  for (const [format, record] of Object.entries(FORMAT_RECORDS)) t.equal(contentType(`1732790000_0123456789MI.${format}`), record.mime)
  t.equal(contentType('1732790000_0123456789.txt'), 'application/octet-stream')
  t.equal(contentType('pending-constructor'), 'application/octet-stream', 'no object property taken for an extension')
})
