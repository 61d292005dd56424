/** The partitioned lowdb store: the Store contract, partitions written only when changed, lock, migration, refusal, kill -9. */
import { spawn } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { StoreError } from '../../../src/model/errors.js'
import type { Item, Store } from '../../../src/model/types.js'
import { dayDocument, genOf, HEAD_BYTES } from '../../../src/store/lowdb/day-index.js'
import { newestFirst } from '../../../src/store/lowdb/layout.js'
import { createPartitionedStore } from '../../../src/store/lowdb/partitioned-store.js'
import { createLowdbStore } from '../../../src/store/lowdb.js'
import { makeItem } from '../../helpers/items.js'
import { mulberry32 } from '../../helpers/random.js'
import { describeStore, hoursAfter } from '../contract.js'

const dirs: string[] = []
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'topicwire-parts-'))
  dirs.push(d)
  return d
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

describeStore('partitioned lowdb', () =>
  createPartitionedStore({ path: join(tempDir(), 'db.json') }),
)

/**
 * The same contract with every change flushed at once: what the store answers then comes from
 * lean items in memory and bodies read back from the partitions.
 */
const flushing = async (): Promise<Store> => {
  const s = await createPartitionedStore({ path: join(tempDir(), 'db.json') })
  const after =
    <A extends unknown[], R>(f: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      const r = await f(...a)
      await s.flush()
      return r
    }
  return {
    ...s,
    saveIngest: after(s.saveIngest),
    saveState: after(s.saveState),
    retag: after(s.retag),
    prune: after(s.prune),
  }
}
describeStore('partitioned lowdb, read back from its partitions', flushing)

describeStore('partitioned lowdb, every unwritten body in the spill file', () =>
  createPartitionedStore({ path: join(tempDir(), 'db.json'), spillAfterChars: 0 }),
)

/** The same contract on a store opened with its states alone (`deferItems`), items read when needed. */
const deferring = async (): Promise<Store> => {
  const path = join(tempDir(), 'db.json')
  const made = await createPartitionedStore({ path })
  await made.close()
  return createPartitionedStore({ path, deferItems: true })
}
describeStore('partitioned lowdb, items read when first needed', deferring)

const state = { sourceId: 'dawn', failures: 0, nextPollAt: hoursAfter(3) }
const on = (day: number, title: string) =>
  makeItem({ title, publishedAt: `2024-05-0${day}T10:00:00.000Z` })
const dayFiles = (dir: string): string[] => readdirSync(join(dir, 'db', 'items')).sort()
const doc = (file: string) => JSON.parse(readFileSync(file, 'utf8'))
/** A new store folder holding `items` as one save of dawn's, closed: its folder and db.json path. */
const savedStore = async (items: Item[]) => {
  const dir = tempDir()
  const path = join(dir, 'db.json')
  const a = await createPartitionedStore({ path })
  await a.saveIngest({ sourceId: 'dawn', items, state })
  await a.close()
  return { dir, path }
}

describe('createPartitionedStore', () => {
  it('holds a frozen copy of a saved body, in memory or spilled, and leaves the saved item as it was', async () => {
    for (const spillAfterChars of [Number.POSITIVE_INFINITY, 0]) {
      const s = await createPartitionedStore({ path: join(tempDir(), 'db.json'), spillAfterChars })
      const item = makeItem({ title: 'Held', topics: ['t'], categories: ['c'] })
      const copy = structuredClone(item)
      await s.saveIngest({ sourceId: 'dawn', items: [item], state })
      // The save's own objects are not frozen (the caller may still change them)…
      expect(Object.isFrozen(item)).toBe(false)
      expect(Object.isFrozen(item.topics)).toBe(false)
      item.categories.push('changed later')
      // …and what the store gives back is its own frozen copy, as saved.
      const got = await s.getItem(item.id)
      expect(got).toEqual(copy)
      expect(got).not.toBe(item)
      expect(Object.isFrozen(got)).toBe(true)
      expect(Object.isFrozen(got?.categories)).toBe(true)
      expect(Object.isFrozen(got?.topics)).toBe(true)
      await s.close()
    }
  })

  it('writes the bodies of saves held in memory once they pile up (no spill file), not only at the flush', async () => {
    const dir = tempDir()
    const path = join(dir, 'db.json')
    // Nothing goes to the spill file (as when it has no room): every body stays in memory.
    const s = await createPartitionedStore({ path, spillAfterChars: Number.POSITIVE_INFINITY })
    const small = on(1, 'small')
    await s.saveIngest({ sourceId: 'dawn', items: [small], state })
    expect(s.writeCount()).toBe(0) // a few bodies wait for the cycle's flush
    // 30 bodies of 1 MB over three days: past the 24 MB a store holds unwritten.
    const big = Array.from({ length: 30 }, (_, k) => ({
      ...on(1 + (k % 3), `big ${k}`),
      contentHtml: `<p>${String(k).padStart(4, '0')}${'x'.repeat(1_048_576)}</p>`,
    }))
    for (const item of big) await s.saveIngest({ sourceId: 'dawn', items: [item], state })
    expect(s.writeCount()).toBeGreaterThan(0)
    expect(dayFiles(dir)).toEqual(['2024-05-01.json', '2024-05-02.json', '2024-05-03.json'])
    const onDisk = dayFiles(dir).flatMap((f) => doc(join(dir, 'db', 'items', f)).items)
    expect(onDisk.length).toBeGreaterThanOrEqual(24)
    for (const i of [small, ...big]) expect(await s.getItem(i.id)).toEqual(i)
    await s.close()
    const b = await createPartitionedStore({ path })
    for (const i of [small, ...big]) expect(await b.getItem(i.id)).toEqual(i)
    expect(await b.getState('dawn')).toMatchObject({ itemCount: 31 })
    await b.close()
  }, 30_000)

  it('keeps an item saved while a flush writes its day pending, and writes that version by the next flush', async () => {
    const dir = tempDir()
    const path = join(dir, 'db.json')
    const s = await createPartitionedStore({ path, spillAfterChars: 50_000 })
    // Days big enough (10 MB) that their writes take a while, held and spilled bodies both.
    const items = Array.from({ length: 1_000 }, (_, k) => ({
      ...on(1 + (k % 2), `first ${k}`),
      contentHtml: `<p>${k} ${'w'.repeat(10_000)}</p>`,
    }))
    await s.saveIngest({ sourceId: 'dawn', items, state })
    // Updates (another content hash) of items on both days.
    const changed = [items[0]!, items[1]!, items[999]!].map((i) => ({
      ...i,
      title: `${i.title}, updated`,
      contentHash: `${i.contentHash}-2`,
    }))
    const flushing = s.flush()
    // Saved once the flush has taken the items it writes (its first temp file is there).
    const temp = join(dir, 'db', 'items', '.2024-05-01.json.tmp')
    while (!existsSync(temp)) await new Promise((r) => setImmediate(r))
    await s.saveIngest({ sourceId: 'dawn', items: changed, state })
    await flushing
    // The flush wrote the versions it took.
    expect(readFileSync(join(dir, 'db', 'items', '2024-05-01.json'), 'utf8')).not.toContain(
      'updated',
    )
    const titles = async (from: typeof s) =>
      Promise.all(changed.map(async (i) => (await from.getItem(i.id))?.title))
    const updated = changed.map((i) => i.title)
    expect(await titles(s)).toEqual(updated)
    await s.flush()
    await s.close()
    const b = await createPartitionedStore({ path })
    expect(await titles(b)).toEqual(updated)
    expect(await b.getItem(items[2]!.id)).toEqual(items[2])
    expect(await b.countItems?.()).toBe(1_000)
    await b.close()
  }, 30_000)

  it('writes more days than one write takes together (pending items of days left for the next), all of them', async () => {
    const dir = tempDir()
    const path = join(dir, 'db.json')
    const s = await createPartitionedStore({ path, spillAfterChars: 0 })
    const items = Array.from({ length: 60 }, (_, k) =>
      makeItem({
        title: `day ${k % 12} item ${k}`,
        publishedAt: `2024-05-${String(1 + (k % 12)).padStart(2, '0')}T10:00:00.000Z`,
      }),
    )
    await s.saveIngest({ sourceId: 'dawn', items, state })
    await s.flush()
    expect(dayFiles(dir)).toHaveLength(12)
    for (const i of items) expect(await s.getItem(i.id)).toEqual(i)
    await s.close()
    const b = await createPartitionedStore({ path })
    for (const i of items) expect(await b.getItem(i.id)).toEqual(i)
    await b.close()
  })

  it('keeps unwritten bodies past spillAfterChars in a spill file, not in memory, until the flush writes them', async () => {
    const dir = tempDir()
    const path = join(dir, 'db.json')
    const spillFile = join(dir, 'db', '.bodies.tmp')
    // Every spilled body written at once (no buffer), so that the file shows which were spilled.
    const s = await createPartitionedStore({ path, spillAfterChars: 3_000, spillBufferBytes: 0 })
    const items = Array.from({ length: 6 }, (_, k) => ({
      ...on(1 + (k % 2), `spilled ${k}`),
      contentHtml: `<p>body ${k} ${'z'.repeat(1_000)}</p>`,
    }))
    await s.saveIngest({ sourceId: 'dawn', items, state })
    // Two bodies fit in 3,000 characters; the other four wait in the file as their JSON.
    const spilled = readFileSync(spillFile, 'utf8')
    expect(
      items.filter((i) => spilled.includes(`body ${i.contentHtml?.slice(8, 9)} `)),
    ).toHaveLength(4)
    expect(s.writeCount()).toBe(0)
    for (const i of items) expect(await s.getItem(i.id)).toEqual(i)
    expect((await s.queryItems({ limit: 10, clusters: 'all' })).items).toHaveLength(6)
    await s.flush()
    expect(statSync(spillFile).size).toBe(0) // nothing waits there once written
    for (const i of items) expect(await s.getItem(i.id)).toEqual(i)
    await s.close()
    expect(existsSync(spillFile)).toBe(false)
    const b = await createPartitionedStore({ path })
    for (const i of items) expect(await b.getItem(i.id)).toEqual(i)
    await b.close()
  })

  it('flushes an import spread over the same days less often as they grow: rewrites a few times the store, not once per batch', async () => {
    const dir = tempDir()
    const path = join(dir, 'db.json')
    // Scaled down: 2 KB of bodies held unwritten (24 MB by default), 200 bodies of 500 chars.
    const s = await createPartitionedStore({ path, flushAfterChars: 2_000 })
    let flushes = 0
    let rewritten = 0
    const size = () =>
      dayFiles(dir).reduce((n, f) => n + statSync(join(dir, 'db', 'items', f)).size, 0)
    for (let k = 0; k < 200; k++) {
      const before = s.writeCount()
      const item = { ...on(1 + (k % 3), `part ${k}`), contentHtml: `<p>${'y'.repeat(500)}</p>` }
      await s.saveIngest({ sourceId: 'dawn', items: [item], state })
      if (s.writeCount() > before) {
        flushes++
        rewritten += size()
      }
    }
    await s.close()
    const final = size()
    // Every 2 KB (four bodies) it would flush 50 times and rewrite the growing store each time.
    expect(flushes).toBeGreaterThan(1)
    expect(flushes).toBeLessThan(15)
    expect(rewritten).toBeLessThan(4 * final)
    const b = await createPartitionedStore({ path })
    expect(await b.countItems()).toBe(200)
    await b.close()
  })

  it('writes a first import whose bodies wait in the spill file once, at its end, not once per 24 MB: the days every save adds to are not rewritten on the way', async () => {
    const dir = tempDir()
    const path = join(dir, 'db.json')
    // Scaled down: 2 KB held in memory at most before a flush, 1 KB before bodies spill.
    const s = await createPartitionedStore({ path, flushAfterChars: 2_000, spillAfterChars: 1_000 })
    const items = Array.from({ length: 120 }, (_, k) => ({
      ...on(1 + (k % 3), `first ${k}`),
      contentHtml: `<p>${'w'.repeat(500)}</p>`,
    }))
    for (const item of items) await s.saveIngest({ sourceId: 'dawn', items: [item], state })
    expect(s.writeCount()).toBe(0)
    await s.flush()
    // Three partitions and their state, each written once.
    expect(s.writeCount()).toBe(4)
    await s.close()
    const b = await createPartitionedStore({ path })
    expect(await b.countItems()).toBe(120)
    for (const i of items.slice(0, 5)) expect(await b.getItem(i.id)).toEqual(i)
    await b.close()
  })

  it('flushes spilled bodies too once they pass flushSpilledAfterChars, fewer times as the days grow', async () => {
    const dir = tempDir()
    const path = join(dir, 'db.json')
    const s = await createPartitionedStore({
      path,
      flushAfterChars: 2_000,
      spillAfterChars: 1_000,
      flushSpilledAfterChars: 20_000,
    })
    let flushes = 0
    for (let k = 0; k < 200; k++) {
      const before = s.writeCount()
      const item = { ...on(1 + (k % 3), `spilt ${k}`), contentHtml: `<p>${'v'.repeat(500)}</p>` }
      await s.saveIngest({ sourceId: 'dawn', items: [item], state })
      if (s.writeCount() > before) flushes++
    }
    // ~150,000 characters in all: at most one flush per 20,000 of them, at least one.
    expect(flushes).toBeGreaterThan(0)
    expect(flushes).toBeLessThanOrEqual(7)
    await s.close()
    const b = await createPartitionedStore({ path })
    expect(await b.countItems()).toBe(200)
    await b.close()
  })

  it('files items by publication day in data/db/ beside db.json, and keeps them across reopen', async () => {
    const items = [on(1, 'one'), on(2, 'two'), on(2, 'three')]
    const { dir, path } = await savedStore(items)
    expect(dayFiles(dir)).toEqual(['2024-05-01.json', '2024-05-02.json'])
    expect(doc(join(dir, 'db', 'items', '2024-05-02.json')).items).toHaveLength(2)
    expect(doc(join(dir, 'db', 'state.json')).states.dawn).toMatchObject({ itemCount: 3 })
    expect(existsSync(path)).toBe(false)
    const b = await createPartitionedStore({ path })
    for (const i of items) expect(await b.getItem(i.id)).toEqual(i)
    expect(await b.getState('dawn')).toEqual({ ...state, itemCount: 3 })
    expect(await b.saveIngest({ sourceId: 'dawn', items, state })).toMatchObject({ unchanged: 3 })
    await b.close()
  })

  it("keeps readers' verdicts and learned models in state.json across reopen (none in a store written before them)", async () => {
    const path = join(tempDir(), 'db.json')
    const a = await createPartitionedStore({ path })
    await a.saveIngest({ sourceId: 'dawn', items: [on(1, 'one')], state })
    await a.flush()
    expect(doc(join(path, '..', 'db', 'state.json')).verdicts).toBeUndefined()
    const v = { topicId: 'pa', itemId: 'i1', in: true, at: '2024-05-03T00:00:00.000Z', title: 'T' }
    expect(await a.saveVerdicts([v])).toBe(1)
    const m = {
      topicId: 'pa',
      basis: 'b',
      covers: { count: 1, seq: 1, at: v.at, itemId: 'i1' },
      model: { version: 1 as const, examples: { in: 1, out: 0 }, bias: 1, weights: { t: 2 } },
    }
    await a.saveTopicModel?.(m)
    await a.close()
    expect(doc(join(path, '..', 'db', 'state.json')).verdicts).toEqual([{ ...v, seq: 1 }])
    const b = await createPartitionedStore({ path })
    expect(await b.listVerdicts('pa')).toEqual([{ ...v, seq: 1 }])
    expect(await b.listVerdicts('other')).toEqual([])
    expect(await b.topicModels?.()).toEqual([m])
    await b.close()
  })

  it('says while it cannot write, keeps what is in memory, and recovers on the next flush', async () => {
    const dir = tempDir()
    const s = await createPartitionedStore({ path: join(dir, 'db.json') })
    await s.saveIngest({ sourceId: 'dawn', items: [on(1, 'one')], state })
    await s.flush()
    expect(s.writeFailures?.()).toEqual({ count: 0 })
    // The items folder turns into a file: every day's write now fails (root ignores modes).
    rmSync(join(dir, 'db', 'items'), { recursive: true })
    writeFileSync(join(dir, 'db', 'items'), 'not a folder')
    await s.saveIngest({ sourceId: 'dawn', items: [on(2, 'two')], state })
    await expect(s.flush()).rejects.toThrow(StoreError)
    expect(s.writeFailures?.()).toMatchObject({
      count: 1,
      failing: expect.stringMatching(/cannot write/),
    })
    rmSync(join(dir, 'db', 'items'))
    mkdirSync(join(dir, 'db', 'items'))
    await s.flush()
    expect(s.writeFailures?.()).toEqual({ count: 1 })
    expect(dayFiles(dir)).toEqual(['2024-05-02.json'])
    await s.close()
  })

  it('writes only the partitions changed since the last flush, and nothing without changes', async () => {
    const dir = tempDir()
    const s = await createPartitionedStore({ path: join(dir, 'db.json') })
    await s.saveIngest({ sourceId: 'dawn', items: [on(1, 'a'), on(2, 'b')], state })
    await s.flush()
    expect(s.writeCount()).toBe(3) // two days and the state
    const day1 = readFileSync(join(dir, 'db', 'items', '2024-05-01.json'), 'utf8')
    await s.saveIngest({ sourceId: 'dawn', items: [on(2, 'c')], state })
    await s.flush()
    expect(s.writeCount()).toBe(5) // day 2 and the state
    expect(readFileSync(join(dir, 'db', 'items', '2024-05-01.json'), 'utf8')).toBe(day1)
    await s.saveState({ ...state, failures: 1 })
    await s.flush()
    expect(s.writeCount()).toBe(6) // the state alone
    await s.flush()
    expect(s.writeCount()).toBe(6)
    await s.close()
    expect(readdirSync(join(dir, 'db')).sort()).toEqual(['index', 'items', 'state.json'])
    expect(readdirSync(join(dir, 'db', 'index')).sort()).toEqual(dayFiles(dir))
  })

  it('drops a whole day by retention, and moves a re-dated item between days', async () => {
    const dir = tempDir()
    const s = await createPartitionedStore({ path: join(dir, 'db.json') })
    const moved = on(3, 'moves')
    await s.saveIngest({ sourceId: 'dawn', items: [on(1, 'old'), on(3, 'new'), moved], state })
    await s.flush()
    expect(
      await s.prune({ maxAgeDays: 1, maxItemsPerSource: 100 }, new Date('2024-05-03T12:00:00Z')),
    ).toBe(1)
    await s.saveIngest({
      sourceId: 'dawn',
      items: [{ ...moved, publishedAt: '2024-05-04T09:00:00.000Z', contentHash: 'changed' }],
      state,
    })
    await s.close()
    expect(dayFiles(dir)).toEqual(['2024-05-03.json', '2024-05-04.json'])
    expect(
      doc(join(dir, 'db', 'items', '2024-05-04.json')).items.map((i: { id: string }) => i.id),
    ).toEqual([moved.id])
  })

  it('migrates a single db.json into partitions, keeping it as db.json.bak', async () => {
    const dir = tempDir()
    const path = join(dir, 'db.json')
    const items = [on(1, 'x'), on(2, 'y')]
    const old = await createLowdbStore({ path })
    await old.saveIngest({ sourceId: 'dawn', items, state })
    await old.close()
    const before = readFileSync(path)
    const logs: string[] = []
    const s = await createPartitionedStore({ path, log: (m) => logs.push(m) })
    expect(await s.getItem(items[1]!.id)).toEqual(items[1])
    expect(await s.getState('dawn')).toMatchObject({ itemCount: 2 })
    await s.close()
    expect(readdirSync(dir).sort()).toEqual(['db', 'db.json.bak'])
    expect(readFileSync(join(dir, 'db.json.bak')).equals(before)).toBe(true)
    expect(dayFiles(dir)).toEqual(['2024-05-01.json', '2024-05-02.json'])
    expect(logs.join('\n')).toMatch(/migrated .*db\.json \(2 items\).*db\.json\.bak/)
    // Written with their indexes: the next start reads no partition whole.
    logs.length = 0
    const again = await createPartitionedStore({ path, log: (m) => logs.push(m) })
    expect((await again.queryItems({ limit: 10, clusters: 'all' })).items).toEqual([
      items[1],
      items[0],
    ])
    await again.close()
    expect(logs).toEqual([])
  })

  it('migrates again from the start after a migration killed midway: nothing lost or doubled', async () => {
    const dir = tempDir()
    const path = join(dir, 'db.json')
    // 120 days of items with bodies: enough partitions that the kill lands while they are written.
    const items = Array.from({ length: 2400 }, (_, k) =>
      makeItem({
        id: `m${k}`,
        guid: `m${k}`,
        title: `item ${k}`,
        contentHtml: `<p>${'body '.repeat(300)}</p>`,
        publishedAt: new Date(Date.UTC(2024, 0, 1 + (k % 120), 10, k % 60)).toISOString(),
      }),
    )
    writeFileSync(
      path,
      JSON.stringify({ version: 1, states: { dawn: { ...state, itemCount: 2400 } }, items }),
    )
    const before = readFileSync(path)
    const building = join(dir, 'db.migrating')
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'migrate-child.ts'), path],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let out = ''
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString()
    })
    // Killed once a few of the partitions are written, before the rest (and the rename).
    await new Promise<void>((done, fail) => {
      const timer = setInterval(() => {
        const written = existsSync(join(building, 'items'))
          ? readdirSync(join(building, 'items')).length
          : 0
        if (written >= 3) {
          clearInterval(timer)
          proc.kill('SIGKILL')
          done()
        }
      }, 1)
      proc.on('exit', () => {
        clearInterval(timer)
        if (!proc.killed) fail(new Error(`migration ended before the kill: ${out}`))
      })
    })
    await new Promise((r) => proc.once('close', r))
    expect(existsSync(join(dir, 'db'))).toBe(false)
    expect(readFileSync(path).equals(before)).toBe(true)
    const logs: string[] = []
    const s = await createPartitionedStore({ path, log: (m) => logs.push(m) })
    expect(logs.join('\n')).toMatch(/migrated .*\(2400 items\)/)
    expect(await s.countItems()).toBe(2400)
    const ids: string[] = []
    let cursor: string | undefined
    do {
      const page = await s.queryItems({ limit: 500, clusters: 'all', ...(cursor && { cursor }) })
      ids.push(...page.items.map((i) => i.id))
      cursor = page.nextCursor
    } while (cursor)
    expect(ids.sort()).toEqual(items.map((i) => i.id).sort())
    expect(await s.getItem('m7')).toEqual(items[7])
    await s.close()
    expect(readdirSync(dir).sort()).toEqual(['db', 'db.json.bak'])
    expect(readFileSync(join(dir, 'db.json.bak')).equals(before)).toBe(true)
  }, 60_000)

  it('refuses to migrate while another live process is building the folder, leaving db.json untouched', async () => {
    const dir = tempDir()
    const path = join(dir, 'db.json')
    const old = await createLowdbStore({ path })
    await old.saveIngest({ sourceId: 'dawn', items: [on(1, 'x')], state })
    await old.close()
    const before = readFileSync(path)
    // A live process (this test's parent) is migrating it.
    writeFileSync(join(dir, 'db.creating.lock'), `${process.ppid}\n`)
    await expect(createPartitionedStore({ path })).rejects.toThrow(
      new RegExp(`in use by another topicwire \\(pid ${process.ppid}.*db\\.creating\\.lock`),
    )
    expect(readdirSync(dir).sort()).toEqual(['db.creating.lock', 'db.json'])
    expect(readFileSync(path).equals(before)).toBe(true)
    // Once that process is gone, the next start migrates.
    writeFileSync(join(dir, 'db.creating.lock'), '99999999\n')
    const s = await createPartitionedStore({ path })
    expect(await s.countItems()).toBe(1)
    await s.close()
    expect(readdirSync(dir).sort()).toEqual(['db', 'db.json.bak'])
  })

  it('refuses a damaged db.json to migrate as the single-file store does, leaving it untouched', async () => {
    const dir = tempDir()
    const path = join(dir, 'db.json')
    writeFileSync(path, '{"version":1,"states":{},"items":{}}')
    await expect(createPartitionedStore({ path })).rejects.toThrow(
      /db\.json is not a topicwire store \(items: .*will not overwrite it.*mv /,
    )
    expect(readdirSync(dir)).toEqual(['db.json'])
  })

  it.each([
    ['invalid JSON', '{"version":1,"day":', /is not valid JSON/],
    ['a future version', '{"version":2,"day":"2024-05-01","items":[]}', /store version 2.*Upgrade/],
    ['a bad item', '{"version":1,"day":"2024-05-01","items":[{"id":"x"}]}', /items\[0\]\.sourceId/],
    ['another day', '{"version":1,"day":"2024-05-02","items":[]}', /holds the items of 2024-05-02/],
  ])(
    'refuses a partition with %s, naming it with a recovery hint, and overwrites nothing',
    async (_l, text, why) => {
      const dir = tempDir()
      const path = join(dir, 'db.json')
      const s = await createPartitionedStore({ path })
      await s.saveIngest({ sourceId: 'dawn', items: [on(2, 'kept')], state })
      await s.close()
      const bad = join(dir, 'db', 'items', '2024-05-01.json')
      writeFileSync(bad, text)
      const kept = readFileSync(join(dir, 'db', 'items', '2024-05-02.json'))
      const err = await createPartitionedStore({ path }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(StoreError)
      expect((err as Error).message).toMatch(why)
      expect((err as Error).message).toContain(`${bad} `)
      expect((err as Error).message).toContain('will not overwrite it')
      expect(readFileSync(bad, 'utf8')).toBe(text)
      expect(readFileSync(join(dir, 'db', 'items', '2024-05-02.json')).equals(kept)).toBe(true)
      // The refused open released its lock: mending the file is enough to start.
      rmSync(bad)
      const again = await createPartitionedStore({ path })
      expect(await again.countItems()).toBe(1)
      await again.close()
    },
  )

  it('refuses a second writer on the same folder, and takes over the lock of a dead process', async () => {
    const dir = tempDir()
    const path = join(dir, 'db.json')
    const a = await createPartitionedStore({ path })
    await expect(createPartitionedStore({ path })).rejects.toThrow(/already open in this process/)
    await a.close()
    // A live process of its own (this test's parent) holds the lock.
    writeFileSync(join(dir, 'db', 'lock'), `${process.ppid}\n`)
    await expect(createPartitionedStore({ path })).rejects.toThrow(
      new RegExp(`in use by another topicwire \\(pid ${process.ppid}.*remove .*lock`),
    )
    // A pid no process has (above the kernel's pid_max).
    writeFileSync(join(dir, 'db', 'lock'), '99999999\n')
    const logs: string[] = []
    const b = await createPartitionedStore({ path, log: (m) => logs.push(m) })
    expect(logs.join('\n')).toMatch(/took over the lock .*lock of process 99999999/)
    await b.close()
    expect(existsSync(join(dir, 'db', 'lock'))).toBe(false)
  })

  it('never leaves a torn partition when its writer is killed with SIGKILL at any moment', async () => {
    const dir = tempDir()
    const path = join(dir, 'db.json')
    mkdirSync(dir, { recursive: true })
    const child = join(import.meta.dirname, 'writer-child.ts')
    let durable = 0
    for (let round = 0; round < 6; round++) {
      const proc = spawn(process.execPath, ['--import', 'tsx', child, path, String(round)], {
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let errText = ''
      proc.stderr.on('data', (d: Buffer) => {
        errText += d.toString()
      })
      // Killed right after its (round % 3 + 1)-th flush, while it writes the next one.
      const target = (round % 3) + 1
      const reported = await new Promise<number>((resolve, reject) => {
        let seen = 0
        let last = durable
        let buf = ''
        proc.stdout.on('data', (d: Buffer) => {
          buf += d.toString()
          for (;;) {
            const nl = buf.indexOf('\n')
            if (nl < 0) break
            const m = /^durable (\d+)$/.exec(buf.slice(0, nl))
            buf = buf.slice(nl + 1)
            if (!m) continue
            last = Number(m[1])
            if (++seen === target) {
              proc.kill('SIGKILL')
              resolve(last)
            }
          }
        })
        proc.on('exit', (code, signal) => {
          if (signal !== 'SIGKILL') reject(new Error(`writer exited ${code}: ${errText}`))
        })
      })
      await new Promise((r) => proc.once('close', r))
      const logs: string[] = []
      const s = await createPartitionedStore({ path, log: (m) => logs.push(m) })
      const count = await s.countItems()
      expect(count).toBeGreaterThanOrEqual(reported)
      expect(logs.join('\n')).toMatch(/took over the lock/)
      expect((await s.getState('dawn'))?.itemCount ?? 0).toBeLessThanOrEqual(count)
      await s.close()
      durable = count
    }
    expect(durable).toBeGreaterThan(0)
  }, 120_000)
})

describe('partition indexes', () => {
  const all = { limit: 50, clusters: 'all' } as const

  it('writes each partition as dayDocument makes it and indexes each item where it lies: random bodies around a write batch, held, spilled and stored', async () => {
    // Seeded: the same bodies each run.
    const random = mulberry32(20)
    // Sizes about the 1 MB a write takes at once, and below, above and many under it.
    const sizes = [10, 900, 40_000, 524_288, 1_048_000, 1_048_576, 1_200_000]
    const body = (k: number) => {
      const n = random() < 0.75 ? Math.floor(random() * 3_000) : sizes[k % sizes.length]!
      return `<p>${k} ${'é"x'.repeat(Math.ceil(n / 3)).slice(0, n)}</p>`
    }
    const dir = tempDir()
    const path = join(dir, 'db.json')
    const s = await createPartitionedStore({ path, spillAfterChars: 2_000_000 })
    const saved: Item[] = []
    const save = async (count: number) => {
      const items = Array.from({ length: count }, (_, k) =>
        makeItem({
          title: `item ${saved.length + k}`,
          publishedAt: `2024-05-0${1 + Math.floor(random() * 2)}T${String(Math.floor(random() * 24)).padStart(2, '0')}:00:00.000Z`,
          contentHtml: body(saved.length + k),
        }),
      )
      saved.push(...items)
      await s.saveIngest({ sourceId: 'dawn', items, state })
      await s.flush()
    }
    const check = async () => {
      for (const day of ['2024-05-01', '2024-05-02']) {
        const bytes = readFileSync(join(dir, 'db', 'items', `${day}.json`))
        const gen = genOf(bytes.subarray(0, HEAD_BYTES).toString('latin1'))!
        const items = saved.filter((i) => i.publishedAt.startsWith(day)).sort(newestFirst)
        const parts = await Promise.all(
          items.map(async (i) => Buffer.from(JSON.stringify(await s.getItem(i.id)))),
        )
        const made = dayDocument(day, gen, parts)
        expect(bytes.equals(made.bytes)).toBe(true)
        const index = doc(join(dir, 'db', 'index', `${day}.json`))
        expect(index.off).toEqual(made.spans.map(([off]) => off))
        expect(index.len).toEqual(made.spans.map(([, len]) => len))
      }
    }
    // First a save of new items (held, then spilled), then new items beside items stored already.
    await save(40)
    await check()
    await save(12)
    await check()
    await s.close()
  }, 60_000)

  it('opens from the index files, gives items back whole, and keeps bodies through a re-tag', async () => {
    const items = [on(1, 'one'), on(2, 'two'), on(2, 'three')]
    const { dir, path } = await savedStore(items)
    const logs: string[] = []
    const b = await createPartitionedStore({ path, log: (m) => logs.push(m) })
    expect(logs).toEqual([])
    const page = await b.queryItems(all)
    expect(page.items).toHaveLength(3)
    for (const i of items) expect(page.items.find((p) => p.id === i.id)).toEqual(i)
    expect(await b.retag((i) => (i.contentHtml?.includes('Traders') ? ['border'] : []))).toBe(3)
    await b.close()
    const day1 = doc(join(dir, 'db', 'items', '2024-05-01.json')).items
    expect(day1).toEqual([{ ...items[0], topics: ['border'] }])
    const c = await createPartitionedStore({ path, log: (m) => logs.push(m) })
    expect(await c.getItem(items[1]!.id)).toEqual({ ...items[1], topics: ['border'] })
    await c.close()
    expect(logs).toEqual([])
  })

  it('re-tags from bodies read partition by partition, and an item saved meanwhile by its new body', async () => {
    const items = [on(1, 'one'), on(2, 'two'), on(3, 'three')]
    const { path } = await savedStore(items)
    const b = await createPartitionedStore({ path })
    const byBody = (i: Item) => (i.contentHtml?.includes('Traders') ? ['border'] : [])
    const quiet = { ...items[2]!, contentHtml: '<p>Quiet day.</p>', contentHash: 'quiet' }
    const [n] = await Promise.all([
      b.retag(byBody),
      b.saveIngest({ sourceId: 'dawn', items: [quiet], state }),
    ])
    // 3 when the save lands after the re-tag changed the old body's topics, else 2.
    expect([2, 3]).toContain(n)
    expect(await b.getItem(items[0]!.id)).toEqual({ ...items[0], topics: ['border'] })
    expect(await b.getItem(quiet.id)).toMatchObject({ ...quiet, topics: [] })
    await b.close()
    const c = await createPartitionedStore({ path })
    expect(await c.getItem(items[1]!.id)).toEqual({ ...items[1], topics: ['border'] })
    expect(await c.getItem(quiet.id)).toMatchObject({ ...quiet, topics: [] })
    await c.close()
  })

  it('reads a partition whole and indexes it again when edited by hand, or its index is missing or damaged', async () => {
    const items = [on(1, 'one'), on(2, 'two'), on(3, 'three')]
    const { dir, path } = await savedStore(items)
    const day = (d: number) => join(dir, 'db', 'items', `2024-05-0${d}.json`)
    const edited = doc(day(1))
    edited.items[0].title = 'one mended by hand'
    writeFileSync(day(1), JSON.stringify(edited, null, 2))
    rmSync(join(dir, 'db', 'index', '2024-05-02.json'))
    writeFileSync(join(dir, 'db', 'index', '2024-05-03.json'), '{"version":1,')
    const logs: string[] = []
    const b = await createPartitionedStore({ path, log: (m) => logs.push(m) })
    expect(logs.join('\n')).toContain('indexed 3 partition(s)')
    expect((await b.getItem(items[0]!.id))?.title).toBe('one mended by hand')
    const found = await b.queryItems({ ...all, q: { include: ['mended'], exclude: [] } })
    expect(found.items.map((i) => i.id)).toEqual([items[0]!.id])
    await b.close()
    logs.length = 0
    const c = await createPartitionedStore({ path, log: (m) => logs.push(m) })
    expect(logs).toEqual([])
    expect((await c.queryItems(all)).items.map((i) => i.title)).toEqual([
      'three',
      'two',
      'one mended by hand',
    ])
    expect(await c.getItem(items[2]!.id)).toEqual(items[2])
    await c.close()
  })

  it('keeps its indexes through a copy without times (stamped again once), not through a same-size edit', async () => {
    const items = [on(1, 'one'), on(2, 'two'), on(3, 'three')]
    const { dir } = await savedStore(items)
    // A copy that does not keep times (cp -r, rsync without -t): every partition gets a new mtime.
    const copy = join(tempDir(), 'db.json')
    cpSync(join(dir, 'db'), join(dirname(copy), 'db'), { recursive: true })
    const day = (d: number) => join(dirname(copy), 'db', 'items', `2024-05-0${d}.json`)
    const later = new Date(Date.now() + 3_600_000)
    for (const d of [1, 2, 3]) utimesSync(day(d), later, later)
    const logs: string[] = []
    const b = await createPartitionedStore({ path: copy, log: (m) => logs.push(m) })
    expect(logs.join('\n')).toContain('stamped 3 index(es)')
    expect(logs.join('\n')).not.toContain('indexed')
    expect((await b.queryItems(all)).items).toEqual([items[2], items[1], items[0]])
    await b.close()
    logs.length = 0
    // A hand edit that keeps the size (and the gen token): its hash tells it apart.
    writeFileSync(day(2), readFileSync(day(2), 'utf8').replace('"two"', '"TWO"'))
    const c = await createPartitionedStore({ path: copy, log: (m) => logs.push(m) })
    expect(logs).toEqual([
      `indexed 1 partition(s) of ${join(dirname(copy), 'db')} again (read whole)`,
    ])
    expect((await c.getItem(items[1]!.id))?.title).toBe('TWO')
    await c.close()
  })

  it('writes its indexes in columns, and opens a store whose indexes are rows (format 3) without reading a partition whole', async () => {
    const three = {
      ...on(3, 'three'),
      topics: ['border'],
      clusterId: 'story-of-three',
      fetchedAt: '2024-05-04T08:00:00.000Z',
    }
    const two = { ...on(2, 'two'), fetchedAt: '2024-05-02T10:00:00.000Z' }
    const items = [on(1, 'one'), two, three]
    const { dir, path } = await savedStore(items)
    const columns = doc(join(dir, 'db', 'index', '2024-05-03.json'))
    expect(columns).toMatchObject({ format: 4, n: 1, title: ['three'], topics: [['border']] })
    // A story named after its item and a fetch date that is the publication date: not repeated.
    expect(doc(join(dir, 'db', 'index', '2024-05-02.json'))).toMatchObject({
      cluster: [null],
      fetched: [null],
    })
    // The same index as the previous version wrote it: one row per item.
    for (const name of readdirSync(join(dir, 'db', 'index'))) {
      const c = doc(join(dir, 'db', 'index', name))
      const rows = c.id.map((id: string, k: number) => ({
        o: c.off[k],
        n: c.len[k],
        w: c.words[k],
        i: [
          id,
          c.source[k],
          c.title[k],
          c.canonical[k],
          c.language[k],
          c.published[k],
          c.updated[k],
          c.fetched[k] ?? c.published[k],
          c.contentHash[k],
          c.topics[k],
          c.cluster[k] ?? id,
          c.reason[k],
        ],
      }))
      const { version, day, size, mtimeMs, hash, gen } = c
      const old = { version, format: 3, day, size, mtimeMs, hash, gen, items: rows }
      writeFileSync(join(dir, 'db', 'index', name), JSON.stringify(old))
    }
    const logs: string[] = []
    const b = await createPartitionedStore({ path, log: (m) => logs.push(m) })
    expect(logs).toEqual([])
    expect((await b.queryItems(all)).items).toEqual([three, items[1], items[0]])
    const tagged = await b.queryItems({ ...all, topics: ['border'] })
    expect(tagged.items.map((i) => i.title)).toEqual(['three'])
    await b.close()
  })

  it('refuses an index whose columns are damaged: reads its partition whole and indexes it again', async () => {
    const items = [on(1, 'one'), on(2, 'two')]
    const { dir, path } = await savedStore(items)
    const indexFile = join(dir, 'db', 'index', '2024-05-02.json')
    const c = doc(indexFile)
    writeFileSync(indexFile, JSON.stringify({ ...c, published: [42] }))
    const logs: string[] = []
    const b = await createPartitionedStore({ path, log: (m) => logs.push(m) })
    expect(logs.join('\n')).toContain('indexed 1 partition(s)')
    expect(await b.getItem(items[1]!.id)).toEqual(items[1])
    await b.close()
  })

  it('refuses to hand out an item whose partition changed under it, naming the file', async () => {
    const dir = tempDir()
    const path = join(dir, 'db.json')
    const a = await createPartitionedStore({ path })
    const item = on(1, 'one')
    await a.saveIngest({ sourceId: 'dawn', items: [item], state })
    await a.close()
    const b = await createPartitionedStore({ path })
    writeFileSync(join(dir, 'db', 'items', '2024-05-01.json'), '{"version":1,"day":"2024-05-01"}')
    await expect(b.getItem(item.id)).rejects.toThrow(/2024-05-01\.json changed while topicwire/)
    await b.close()
  })
})

describe('items read when first needed (deferItems)', () => {
  const all = { limit: 50, clusters: 'all' } as const
  const retention = { maxAgeDays: 30, maxItemsPerSource: 10 }
  /**
   * A saved store whose day-1 index keeps its stamp but lost its items' words (a store that
   * reads that index parses it, finds it damaged and reads the partition whole, saying so): what
   * tells whether a store read its items.
   */
  const telltaleStore = async (items: Item[]) => {
    const saved = await savedStore(items)
    const index = join(saved.dir, 'db', 'index', '2024-05-01.json')
    // Its words column damaged, stamp untouched: reading the items would index the day again.
    const doc = JSON.parse(readFileSync(index, 'utf8')) as Record<string, unknown>
    expect(Array.isArray(doc.words)).toBe(true)
    writeFileSync(index, JSON.stringify({ ...doc, words: 0 }))
    return saved
  }
  const open = async (path: string) => {
    const logs: string[] = []
    const store = await createPartitionedStore({ path, deferItems: true, log: (m) => logs.push(m) })
    return { store, read: () => logs.some((m) => m.includes('indexed 1 partition(s)')) }
  }

  it('polls that change only states read no item, and write state.json alone', async () => {
    const items = [on(1, 'one'), on(2, 'two')]
    const { dir, path } = await telltaleStore(items)
    const partition = join(dir, 'db', 'items', '2024-05-01.json')
    const before = statSync(partition).mtimeMs
    const { store, read } = await open(path)
    expect(await store.getState('dawn')).toMatchObject({ sourceId: 'dawn', itemCount: 2 })
    await store.saveState({ ...(await store.getState('dawn'))!, failures: 1 })
    // Nothing old enough and no source over its cap: retention has nothing to read.
    expect(await store.prune(retention, new Date('2024-05-20T00:00:00.000Z'))).toBe(0)
    await store.close()
    expect(read()).toBe(false)
    expect(statSync(partition).mtimeMs).toBe(before)
    expect(doc(join(dir, 'db', 'state.json')).states.dawn.failures).toBe(1)
    // The next store that needs items reads them, states as last saved.
    const next = await open(path)
    expect(await next.store.getItem(items[0]!.id)).toEqual(items[0])
    expect(next.read()).toBe(true)
    expect(await next.store.getState('dawn')).toMatchObject({ failures: 1, itemCount: 2 })
    await next.store.close()
  })

  it('reads the items for a save, keeping the states saved before it', async () => {
    const items = [on(1, 'one'), on(2, 'two')]
    const { path } = await telltaleStore(items)
    const { store, read } = await open(path)
    await store.saveState({ sourceId: 'tolo', failures: 3, nextPollAt: hoursAfter(1) })
    const third = on(3, 'three')
    expect(await store.saveIngest({ sourceId: 'dawn', items: [items[0]!, third], state })).toEqual({
      new: 1,
      updated: 0,
      unchanged: 1,
    })
    expect(read()).toBe(true)
    expect((await store.queryItems(all)).items).toEqual([third, items[1], items[0]])
    expect(await store.getState('tolo')).toMatchObject({ failures: 3 })
    await store.close()
    const again = await createPartitionedStore({ path })
    expect((await again.queryItems(all)).items.map((i) => i.title)).toEqual(['three', 'two', 'one'])
    expect(await again.getState('tolo')).toMatchObject({ failures: 3 })
    expect(await again.getState('dawn')).toMatchObject({ itemCount: 3 })
    await again.close()
  })

  it('reads the items for retention when a day is old enough or a source has more than it keeps', async () => {
    const items = [on(1, 'one'), on(2, 'two'), on(3, 'three')]
    const { path } = await telltaleStore(items)
    const aged = await open(path)
    // 30 days before: 1 May at noon, day 1's item (10:00) is older.
    expect(await aged.store.prune(retention, new Date('2024-05-31T12:00:00.000Z'))).toBe(1)
    expect(aged.read()).toBe(true)
    await aged.store.close()
    const capped = await open(path)
    const atMost1 = { maxAgeDays: 3650, maxItemsPerSource: 1 }
    expect(await capped.store.prune(atMost1, new Date('2024-05-04T00:00:00.000Z'))).toBe(1)
    expect((await capped.store.queryItems(all)).items.map((i) => i.title)).toEqual(['three'])
    await capped.store.close()
  })

  it('reads everything at open when a partition changed since its index (a damaged one is refused there)', async () => {
    const { dir, path } = await savedStore([on(1, 'one'), on(2, 'two')])
    writeFileSync(join(dir, 'db', 'items', '2024-05-02.json'), '{"version":1,"day":"2024-05-02"')
    await expect(createPartitionedStore({ path, deferItems: true })).rejects.toThrow(
      /2024-05-02\.json/,
    )
  })

  it('refuses item reads with the same StoreError when the items cannot be read, never touching the partition', async () => {
    const items = [on(1, 'one'), on(2, 'two')]
    const { dir, path } = await telltaleStore(items)
    // Day 1's bytes garbled after its head (same size and token), its index stamped for them.
    const partition = join(dir, 'db', 'items', '2024-05-01.json')
    const bytes = readFileSync(partition)
    const garbled = Buffer.concat([bytes.subarray(0, 90), Buffer.alloc(bytes.length - 90, 0x7b)])
    writeFileSync(partition, garbled)
    const index = join(dir, 'db', 'index', '2024-05-01.json')
    const stamped = `"mtimeMs":${statSync(partition).mtimeMs},`
    writeFileSync(index, readFileSync(index, 'utf8').replace(/"mtimeMs":[0-9.]+,/, stamped))
    const { store } = await open(path)
    await expect(store.getItem(items[1]!.id)).rejects.toThrow(StoreError)
    await expect(store.queryItems(all)).rejects.toThrow(/2024-05-01\.json/)
    await store.saveState({ ...state, failures: 4 })
    await store.close()
    expect(readFileSync(partition).equals(garbled)).toBe(true)
    expect(existsSync(join(dir, 'db', 'items', '2024-05-02.json'))).toBe(true)
    expect(doc(join(dir, 'db', 'state.json')).states.dawn.failures).toBe(4)
  })
})

describe('the journal', () => {
  const entry = (title: string) =>
    JSON.stringify({ sourceId: 'dawn', items: [on(1, title)], state: { ...state, failures: 2 } })

  it('replays saves acknowledged before a crash, drops a write cut short, and folds them into the partitions', async () => {
    const dir = tempDir()
    const path = join(dir, 'db.json')
    const a = await createPartitionedStore({ path })
    await a.saveIngest({ sourceId: 'dawn', items: [on(2, 'flushed')], state })
    await a.close()
    const journal = join(dir, 'db', 'journal-000007.jsonl')
    writeFileSync(journal, `${entry('journaled')}\n${entry('cut short').slice(0, 60)}`)
    const logs: string[] = []
    const b = await createPartitionedStore({ path, log: (m) => logs.push(m) })
    expect(logs.join('\n')).toContain('1 save(s) recovered from the journal')
    expect((await b.queryItems({ limit: 10, clusters: 'all' })).items.map((i) => i.title)).toEqual([
      'flushed',
      'journaled',
    ])
    expect((await b.getState('dawn'))?.failures).toBe(2)
    expect(existsSync(journal)).toBe(false)
    expect(doc(join(dir, 'db', 'items', '2024-05-01.json')).items[0].title).toBe('journaled')
    await b.close()
  })

  it('writes each save to the journal before it returns, and drops the journal once flushed', async () => {
    const dir = tempDir()
    const s = await createPartitionedStore({ path: join(dir, 'db.json') })
    await s.saveIngest({ sourceId: 'dawn', items: [on(1, 'one')], state })
    const files = () => readdirSync(join(dir, 'db')).filter((f) => f.startsWith('journal-'))
    expect(files()).toHaveLength(1)
    const line = JSON.parse(readFileSync(join(dir, 'db', files()[0]!), 'utf8'))
    expect(line.items.map((i: { title: string }) => i.title)).toEqual(['one'])
    // An unchanged item is not written again.
    await s.saveIngest({ sourceId: 'dawn', items: [on(1, 'one')], state })
    const lines = readFileSync(join(dir, 'db', files()[0]!), 'utf8')
      .trim()
      .split('\n')
    expect(JSON.parse(lines[1]!).items).toEqual([])
    await s.flush()
    expect(files()).toEqual([])
    await s.close()
  })

  it('journals each item as the spill file holds it: a new item as it came, an update as merged', async () => {
    const dir = tempDir()
    const s = await createPartitionedStore({ path: join(dir, 'db.json'), spillAfterChars: 0 })
    const first = {
      ...on(1, 'first'),
      categories: ['Border', 'Trade'],
      enclosures: [{ url: 'https://example.com/a.mp3', type: 'audio/mpeg', length: 12 }],
      clusterReason: { via: 'similar' as const, matchedId: 'other', score: 0.5 },
      summary: 'Crossing reopens…',
    }
    const second = on(1, 'second')
    await s.saveIngest({ sourceId: 'dawn', items: [first, second], state })
    // A new text of `first`, fetched later: stored with the first fetch date kept.
    const changed = {
      ...first,
      contentHash: 'changed',
      title: 'first, updated',
      fetchedAt: hoursAfter(5),
    }
    await s.saveIngest({ sourceId: 'dawn', items: [changed], state })
    const files = readdirSync(join(dir, 'db')).filter((f) => f.startsWith('journal-'))
    const lines = readFileSync(join(dir, 'db', files[0]!), 'utf8')
      .trim()
      .split('\n')
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { sourceId: 'dawn', state, items: [first, second] },
      { sourceId: 'dawn', state, items: [changed] },
    ])
    expect(await s.getItem(second.id)).toEqual(second)
    const stored = await s.getItem(first.id)
    expect(stored).toMatchObject({ title: 'first, updated', fetchedAt: first.fetchedAt })
    expect(stored?.updatedAt).toBe(changed.fetchedAt)
    await s.close()
  })

  it('refuses a journal damaged before its last line, naming it, and leaves it as it is', async () => {
    const dir = tempDir()
    const path = join(dir, 'db.json')
    const a = await createPartitionedStore({ path })
    await a.close()
    const journal = join(dir, 'db', 'journal-000002.jsonl')
    const text = `{"sourceId":\n${entry('after')}\n`
    writeFileSync(journal, text)
    await expect(createPartitionedStore({ path })).rejects.toThrow(
      /journal-000002\.jsonl line 1 is damaged.*Move the file aside/,
    )
    expect(readFileSync(journal, 'utf8')).toBe(text)
  })
})
