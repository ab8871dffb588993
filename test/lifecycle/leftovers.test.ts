import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { buildApp } from '../../src/app.js'
import { makeImage, publish, testConfig, upload } from '../helpers.js'
import { ageLocalFile } from '../storage/contract.js'
import { until } from '../until.js'

// What a process killed part-way through a rotate leaves (issue 25), and the next process's sweep.
const ROTATED = '1732790001_0000000001.jpg'
const PARTIAL = '.partial-0b6f1c1e-6d0f-4c57-9d3e-2a1b3c4d5e6f'

for (const env of [{}, { GENERATE_WEBP: '1' }] as Array<Record<string, string>>) {
  t.test(`a rotate killed after writing some of its new key's files: a sweep removes them${'GENERATE_WEBP' in env ? ' (variants on)' : ' (variants off)'}`, async t => {
    const config = testConfig(t, env)
    const first = await buildApp(config)
    const { body } = await upload(first, makeImage(t.testdir(), 'a.jpg', '600x400'))
    const key: string = body.filename
    await publish(first, key)
    await first.close()
    // As the killed process left it: its marker for the new key, not refreshed for a minute; two of
    // the new key's thumbnails in active, without their original; a file it was writing.
    const stem = ROTATED.slice(0, -4)
    for (const suffix of ['BI', 'MI']) copyFileSync(join(config.activeFolder, key.replace('.jpg', `${suffix}.jpg`)), join(config.activeFolder, `${stem}${suffix}.jpg`))
    writeFileSync(join(config.incomingFolder, `pending-${ROTATED}`), '')
    ageLocalFile(config.incomingFolder, `pending-${ROTATED}`, 60)
    writeFileSync(join(config.activeFolder, PARTIAL), 'half a thumbnail')
    ageLocalFile(config.activeFolder, PARTIAL, 2 * 3600)

    const next = await buildApp(config)
    t.teardown(async () => await next.close())
    await next.ready()
    await until(() => !existsSync(join(config.incomingFolder, `pending-${ROTATED}`)), 'the rotated key\'s marker to go')
    t.same(readdirSync(config.activeFolder).filter(name => name.startsWith(stem)), [], 'nothing of the new key is left in active')
    t.notOk(existsSync(join(config.activeFolder, PARTIAL)), 'the dead process\'s partial file is swept')
    t.equal(readdirSync(config.activeFolder).filter(name => name.startsWith(key.slice(0, -4))).length, 'GENERATE_WEBP' in env ? 7 : 4, 'the old key is whole')
  })
}

t.test('a marker named the older way (<key>.pending) is taken up at start', async t => {
  const config = testConfig(t)
  mkdirSync(config.incomingFolder, { recursive: true })
  writeFileSync(join(config.incomingFolder, `${ROTATED}.pending`), '')
  const app = await buildApp(config)
  t.teardown(async () => await app.close())
  await app.ready()
  await until(() => !existsSync(join(config.incomingFolder, `${ROTATED}.pending`)), 'the marker named as before to go')
  t.ok(existsSync(join(config.incomingFolder, `pending-${ROTATED}`)), 'named anew: a sweep takes it up a lease later')
})
