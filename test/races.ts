import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import { deleteImages, publish, rotate, upload } from './helpers.js'
import { until } from './until.js'

type Assert = Pick<Test, 'same' | 'ok'>

/** Instances on the same stores, and a look at what the stores hold. */
export interface Instances {
  /** The calls of a race alternate between these: one instance, or two replicas. */
  apps: FastifyInstance[]
  /** Every key in a store, sorted. */
  keys: (store: 'incoming' | 'active') => Promise<string[]>
}

export interface Race {
  name: string
  /** Runs the race once and checks the end state. */
  run: (t: Assert, round: Round) => Promise<void>
}

/**
 * How many times each race runs: once in `npm test`, to prove the wiring; ten in `npm run
 * test:races` (CI), where the calls' order and instances change every round.
 */
export const ROUNDS = Number(process.env.RACE_ROUNDS ?? 1)

const SUFFIXES = ['BI', 'SI']
const FORMATS = ['webp']

/**
 * The settings the races run with: variants on, made soon after a publish. The races are about
 * when work is written, not what it encodes: two sizes and one variant format keep rounds quick.
 */
export const RACE_ENV = {
  GENERATE_WEBP: '1',
  THUMBNAILS_PUBLISH_DELAY: '300',
  RESIZING_CONFIG: JSON.stringify([
    { suffix: 'BI', convert: ['-thumbnail', '1500x1500>'] },
    { suffix: 'SI', convert: ['-thumbnail', '200x200^', '-gravity', 'center', '-extent', '200x200'] }
  ])
}

const stem = (key: string): string => key.slice(0, key.lastIndexOf('.'))
const ext = (key: string): string => key.slice(key.lastIndexOf('.') + 1)

/** An image's family and its variants: what active holds of a published image once its jobs are done. */
export function whole (key: string): string[] {
  const thumbnails = SUFFIXES.map(suffix => `${stem(key)}${suffix}.${ext(key)}`)
  const variants = FORMATS.flatMap(format => SUFFIXES.map(suffix => `${stem(key)}${suffix}.${format}`))
  return [key, ...thumbnails, ...variants].sort()
}

/** The files of `key` (by its stem) in a store. */
async function filesOf ({ keys }: Instances, store: 'incoming' | 'active', key: string): Promise<string[]> {
  return (await keys(store)).filter(name => name.startsWith(stem(key)))
}

/**
 * Waits until no instance has a variant job running or waiting and incoming holds no marker and no
 * claim: after this, nothing of these calls can still write.
 */
export async function settled (instances: Instances): Promise<void> {
  await until(async () => instances.apps.every(app => !app.images.variants.busy) &&
    (await instances.keys('incoming')).every(name => !name.startsWith('pending-') && !name.includes('.lock.')), 'no job, no marker, no claim')
}

/**
 * One run of a race: its calls alternate between the instances, starting with the one `turn`
 * picks, and every status they answer is kept, for the count of 5xx.
 */
export class Round {
  readonly statuses: number[] = []

  constructor (readonly t: Assert, readonly instances: Instances, private readonly picture: string, private readonly turn: number) {}

  /** Starts two calls, in an order that changes every round; their results in the order given. */
  async together<A, B> (a: () => Promise<A>, b: () => Promise<B>): Promise<[A, B]> {
    if (this.turn % 2 === 0) return await Promise.all([a(), b()])
    const [second, first] = await Promise.all([b(), a()])
    return [first, second]
  }

  /** The instance for a round's `nth` call. */
  app (nth: number): FastifyInstance {
    return this.instances.apps[(this.turn + nth) % this.instances.apps.length]
  }

  async upload (): Promise<string> {
    const { statusCode, body } = await upload(this.app(0), this.picture)
    this.t.same(this.record(statusCode), 200, 'upload')
    return body.filename
  }

  async publish (key: string, nth = 1): Promise<number> {
    return this.record((await publish(this.app(nth), key)).statusCode)
  }

  async delete (key: string, nth = 0): Promise<number> {
    return this.record((await deleteImages(this.app(nth), key)).statusCode)
  }

  async rotate (key: string, nth = 0): Promise<{ statusCode: number, key: string }> {
    const { statusCode, body } = await rotate(this.app(nth), key)
    return { statusCode: this.record(statusCode), key: body.filename }
  }

  /** Uploaded and published, its variants still being made. */
  async published (): Promise<string> {
    const key = await this.upload()
    this.t.same(await this.publish(key), 200, 'publish')
    return key
  }

  /** Nothing of `key` in active, once nothing can write any more. */
  async gone (key: string): Promise<void> {
    await settled(this.instances)
    this.t.same(await filesOf(this.instances, 'active', key), [], `nothing of ${key} in active`)
  }

  /** What active holds now that it did not hold before. */
  async addedSince (before: string[]): Promise<string[]> {
    return (await this.instances.keys('active')).filter(name => !before.includes(name))
  }

  private record (status: number): number {
    this.statuses.push(status)
    return status
  }
}

export const RACES: Race[] = [
  {
    name: 'a delete right after a publish, while the variants are made: nothing stays or comes back',
    run: async (t, round) => {
      const key = await round.published()
      t.same(await round.delete(key), 200, 'delete')
      await round.gone(key)
      t.same(await filesOf(round.instances, 'incoming', key), [], 'nor in incoming')
    }
  },
  {
    name: 'a publish and a delete of a fresh key at once: active ends with none of it',
    run: async (t, round) => {
      const key = await round.upload()
      const [published, deleted] = await round.together(async () => await round.publish(key), async () => await round.delete(key))
      t.ok([200, 404].includes(published), `publish ${published}`)
      t.same(deleted, 200, 'delete')
      await round.gone(key)
    }
  },
  {
    name: 'a rotate right after a publish: only the new key, whole, in active',
    run: async (t, round) => {
      const key = await round.published()
      const rotated = await round.rotate(key)
      t.same(rotated.statusCode, 200, 'rotate')
      await round.gone(key)
      t.same(await filesOf(round.instances, 'active', rotated.key), whole(rotated.key))
    }
  },
  {
    name: 'a rotate and a delete at once: the old key gone, the new one whole or never made',
    run: async (t, round) => {
      const key = await round.published()
      const before = await round.instances.keys('active')
      const [rotated, deleted] = await round.together(async () => await round.rotate(key, 0), async () => await round.delete(key, 1))
      t.ok([200, 404].includes(rotated.statusCode), `rotate ${rotated.statusCode}`)
      t.same(deleted, 200, 'delete')
      await round.gone(key)
      t.same(await round.addedSince(before), rotated.statusCode === 200 ? whole(rotated.key) : [], 'what the rotate made, whole')
    }
  },
  {
    name: 'two rotates at once: one new key, whole; the other call 404',
    run: async (t, round) => {
      const key = await round.published()
      const before = await round.instances.keys('active')
      const results = await round.together(async () => await round.rotate(key, 0), async () => await round.rotate(key, 1))
      t.same(results.map(result => result.statusCode).sort(), [200, 404])
      const winner = results.find(result => result.statusCode === 200)?.key as string
      await round.gone(key)
      t.same(await round.addedSince(before), whole(winner), 'one new key, whole, no orphan')
    }
  }
]

/** Runs `race` ROUNDS times on `picture`; every status its calls answered. */
export async function runRounds (t: Test, race: Race, instances: Instances, picture: string): Promise<number[]> {
  const answered: number[] = []
  for (let turn = 0; turn < ROUNDS; turn++) {
    const round = new Round(t, instances, picture, turn)
    await race.run(t, round)
    answered.push(...round.statuses)
  }
  t.comment(`${ROUNDS} rounds: ${answers(answered)}`)
  return answered
}

/** How many calls answered each status, for the closing note: `200 × 280, 404 × 20`. */
export function answers (statuses: number[]): string {
  const counts = new Map<number, number>()
  for (const status of [...statuses].sort()) counts.set(status, (counts.get(status) ?? 0) + 1)
  return [...counts].map(([status, times]) => `${status} × ${times}`).join(', ')
}
