/** The lowdb store: the Store contract on a temp file, plus persistence, write batching and refusal. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { StoreError } from '../../src/model/errors.js'
import { createLowdbStore } from '../../src/store/lowdb.js'
import { makeItem } from '../helpers/items.js'
import { describeStore, hoursAfter } from './contract.js'

const dirs: string[] = []
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'topicwire-lowdb-'))
  dirs.push(d)
  return d
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

describeStore('lowdb', () => createLowdbStore({ path: join(tempDir(), 'db.json') }))

const state = { sourceId: 'dawn', failures: 0, nextPollAt: hoursAfter(3) }

describe('createLowdbStore', () => {
  it('keeps items, ids and states across close and reopen', async () => {
    const path = join(tempDir(), 'db.json')
    const items = [makeItem({ title: 'one', topics: ['t'] }), makeItem({ title: 'two' })]
    const a = await createLowdbStore({ path })
    await a.saveIngest({ sourceId: 'dawn', items, state })
    await a.close()
    const b = await createLowdbStore({ path })
    expect(await b.getItem(items[0]!.id)).toEqual(items[0])
    expect(await b.getItem(items[1]!.id)).toEqual(items[1])
    expect(await b.getState('dawn')).toEqual({ ...state, itemCount: 2 })
    expect(await b.countItems({ topic: 't' })).toBe(1)
    expect(await b.saveIngest({ sourceId: 'dawn', items, state })).toMatchObject({ unchanged: 2 })
  })

  it('keeps verdicts across close and reopen; a file without verdicts reads as none', async () => {
    const path = join(tempDir(), 'db.json')
    const a = await createLowdbStore({ path })
    await a.saveIngest({ sourceId: 'dawn', items: [makeItem({ title: 'x' })], state })
    expect(await (await createLowdbStore({ path })).listVerdicts()).toEqual([])
    await a.flush()
    expect(await (await createLowdbStore({ path })).listVerdicts()).toEqual([])
    const v = {
      topicId: 'pa',
      itemId: 'i1',
      in: false,
      at: hoursAfter(2),
      title: 'Quake',
      summary: 's',
    }
    await a.saveVerdicts([v])
    const m = {
      topicId: 'pa',
      basis: 'b',
      covers: { count: 1, seq: 1, at: v.at, itemId: 'i1' },
      model: { version: 1 as const, examples: { in: 0, out: 1 }, bias: -1, weights: { quake: -2 } },
    }
    await a.saveTopicModel?.(m)
    await a.close()
    const b = await createLowdbStore({ path })
    expect(await b.listVerdicts('pa')).toEqual([{ ...v, seq: 1 }])
    expect(await b.topicModels?.()).toEqual([m])
    // the import sequence goes on from the stored one
    await b.saveVerdicts([{ ...v, itemId: 'i2' }])
    expect((await b.listVerdicts('pa')).map((x) => x.seq)).toEqual([1, 2])
  })

  it('creates the folder, writes once per flush with changes, and never without', async () => {
    const dir = join(tempDir(), 'nested', 'data')
    const path = join(dir, 'db.json')
    const s = await createLowdbStore({ path })
    await s.flush()
    expect(s.writeCount()).toBe(1)
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ version: 1, states: {}, items: [] })
    await s.flush()
    expect(s.writeCount()).toBe(1)
    await s.saveIngest({ sourceId: 'dawn', items: [makeItem({ title: 'a' })], state })
    await s.saveIngest({ sourceId: 'dawn', items: [makeItem({ title: 'b' })], state })
    await s.flush()
    await s.flush()
    expect(s.writeCount()).toBe(2)
    const text = readFileSync(path, 'utf8')
    expect(text).toBe(JSON.stringify(JSON.parse(text)))
    expect(JSON.parse(text).items).toHaveLength(2)
    expect(readdirSync(dir)).toEqual(['db.json'])
  })

  it('does not rewrite a file it only read', async () => {
    const path = join(tempDir(), 'db.json')
    const a = await createLowdbStore({ path })
    await a.saveIngest({ sourceId: 'dawn', items: [makeItem({})], state })
    await a.close()
    const b = await createLowdbStore({ path })
    await b.queryItems({ limit: 10, clusters: 'collapse' })
    await b.flush()
    expect(b.writeCount()).toBe(0)
  })

  it('writes concurrent flushes one after another, with the latest data', async () => {
    const dir = tempDir()
    const path = join(dir, 'db.json')
    const s = await createLowdbStore({ path })
    await s.saveIngest({ sourceId: 'dawn', items: [makeItem({ title: 'a' })], state })
    const first = s.flush()
    await s.saveIngest({ sourceId: 'dawn', items: [makeItem({ title: 'b' })], state })
    await Promise.all([first, s.flush(), s.flush()])
    expect(s.writeCount()).toBeGreaterThanOrEqual(1)
    expect(JSON.parse(readFileSync(path, 'utf8')).items).toHaveLength(2)
    expect(readdirSync(dir)).toEqual(['db.json'])
  })

  const item = JSON.stringify(makeItem({}))
  it.each([
    ['invalid JSON', '{\n  "version": 1,\n  "states": {,\n}', /is not valid JSON \(.*line 3/],
    ['empty file', '', /is not valid JSON/],
    ['an array', '[]', /is not a topicwire store/],
    ['no version', '{"states":{},"items":[]}', /no numeric "version"/],
    ['a future version', '{"version":2,"states":{},"items":[]}', /store version 2.*newer.*Upgrade/],
    ['an unknown old version', '{"version":0,"states":{},"items":[]}', /store version 0/],
    [
      'a bad item',
      `{"version":1,"states":{},"items":[${item.replace(/"publishedAt":"[^"]*"/, '"publishedAt":"yesterday"')}]}`,
      /items\[0\]\.publishedAt/,
    ],
    ['items not a list', '{"version":1,"states":{},"items":{}}', /items: /],
    [
      'a state under the wrong key',
      '{"version":1,"states":{"geo":{"sourceId":"dawn","failures":0,"nextPollAt":"2024-05-01T00:00:00Z"}},"items":[]}',
      /states\.geo/,
    ],
  ])('refuses %s with a recovery hint and leaves the file untouched', async (_label, text, why) => {
    const dir = tempDir()
    const path = join(dir, 'db.json')
    writeFileSync(path, text)
    const before = readFileSync(path)
    const err = await createLowdbStore({ path }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(StoreError)
    const message = (err as StoreError).message
    expect(message).toMatch(why)
    expect(message).toContain(`${path} `)
    expect(message).toContain(`mv ${path} ${path}.bad`)
    expect(message).toContain('will not overwrite it')
    expect(readFileSync(path).equals(before)).toBe(true)
    expect(readdirSync(dir)).toEqual(['db.json'])
  })

  it('reports a path it cannot read as a file', async () => {
    const dir = tempDir()
    await expect(createLowdbStore({ path: dir })).rejects.toThrow(/cannot read .*EISDIR/)
  })
})
