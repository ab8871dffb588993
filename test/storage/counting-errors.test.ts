import { rmSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { countingErrors } from '../../src/storage/counting-errors.js'
import { createLocalStorage } from '../../src/storage/local-storage.js'
import { MissingKeyError } from '../../src/storage/storage.js'

t.test('each failed call is counted by its name, a listing\'s too; a missing key is not a failure', async t => {
  const folder = join(t.testdir(), 'incoming')
  const failed: string[] = []
  const store = countingErrors(await createLocalStorage('incoming', folder), operation => failed.push(operation))
  await t.rejects(store.fetch('1732790000_0000000001.jpg', join(folder, '..', 'out.jpg')), MissingKeyError)
  t.equal(await store.exists('1732790000_0000000001.jpg'), false)
  t.same(failed, [], 'answers, not failures')
  rmSync(folder, { recursive: true })
  await t.rejects(store.listPrefix('1732790000'), { code: 'ENOENT' })
  await t.rejects(async () => { for await (const page of store.listOlderThan(new Date())) t.fail(`no page: ${page.join()}`) }, { code: 'ENOENT' })
  t.same(failed, ['listPrefix', 'listOlderThan'])
  t.equal(store.name, 'incoming', 'the rest as it was')
})
