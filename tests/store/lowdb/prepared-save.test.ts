/** A save with what the analysis worker prepared (IngestResult.prepared) writes and answers exactly as one without it. */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { feedXml } from '../../../bench/peers.bench.js'
import { analyseFeed } from '../../../src/ingest/analyse.js'
import { packPrepared, unpackPrepared } from '../../../src/ingest/workers/prepared-items.js'
import type { Item, PreparedItem, Source } from '../../../src/model/types.js'
import { createPartitionedStore } from '../../../src/store/lowdb/partitioned-store.js'
import { createMemoryStore } from '../../../src/store/memory.js'
import { topicTagger } from '../../../src/topics/tag.js'

const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'topicwire-prepared-'))
  dirs.push(d)
  return d
}

const source: Source = {
  id: 'outlet',
  title: 'Outlet',
  url: 'https://outlet.example/feed.xml',
  tags: [],
  enabled: true,
  priority: 0,
}
const state = { sourceId: 'outlet', failures: 0, nextPollAt: '2026-11-20T13:00:00.000Z' }

/** A bench feed's items as the main thread gets them from a worker, with what it prepared. */
const polled = async (
  f: number,
  fetchedAt: string,
): Promise<{ items: Item[]; prepared: Map<string, PreparedItem> }> => {
  const { items } = await analyseFeed(
    { body: Buffer.from(feedXml(f)), source, feedUrl: source.url, fetchedAt },
    topicTagger([]),
  )
  const packed = packPrepared(items)
  const moved = structuredClone(
    { items, packed },
    { transfer: [packed.data.buffer as ArrayBuffer] },
  )
  return { items: moved.items, prepared: unpackPrepared(moved.packed, moved.items) }
}

/** The journal, the partitions' items and their indexes' rows, by file name. */
const filesOf = (dir: string): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  const walk = (at: string, name: string): void => {
    for (const e of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, e.name)
      if (e.isDirectory()) walk(path, `${name}${e.name}/`)
      else if (e.name.endsWith('.jsonl')) out[name + e.name] = readFileSync(path, 'utf8')
      else if (name === 'items/') out[name + e.name] = JSON.parse(readFileSync(path, 'utf8')).items
      else if (name === 'index/') {
        // Its rows (words included), less the stamp of the partition's random generation and time.
        const { gen: _g, mtimeMs: _m, hash: _h, ...rest } = JSON.parse(readFileSync(path, 'utf8'))
        out[name + e.name] = rest
      }
    }
  }
  walk(join(dir, 'db'), '')
  return out
}

describe('a lowdb save with prepared items', () => {
  it('journals, spills, files and finds the same as a save without', async () => {
    const first = await polled(3, '2026-11-20T12:00:00.000Z')
    // The same feed again with other text: every item updated (merged, so not as prepared).
    const again = await polled(4, '2026-11-20T12:30:00.000Z')
    const updates = again.items.slice(0, 10).map((item, k) => ({ ...item, id: first.items[k]!.id }))
    // Stories given on this thread, as the clusterer does (a copy with clusterId and reason).
    const storied = first.items.map((item, k) =>
      k % 2 === 0
        ? {
            ...item,
            clusterId: first.items[0]!.id,
            clusterReason: { via: 'similar' as const, matchedId: first.items[0]!.id, score: 0.7 },
          }
        : item,
    )
    const stores = []
    for (const withPrepared of [false, true]) {
      const dir = tempDir()
      const s = await createPartitionedStore({
        path: join(dir, 'db.json'),
        spillAfterChars: 20_000,
      })
      expect(s.readsPrepared).toBe(true)
      const extra = (p: Map<string, PreparedItem>) => (withPrepared ? { prepared: p } : {})
      await s.saveIngest({ sourceId: 'outlet', items: storied, state, ...extra(first.prepared) })
      await s.saveIngest({ sourceId: 'outlet', items: updates, state, ...extra(again.prepared) })
      const journaled = filesOf(dir)
      // The title's longest word: never a function word, which the search index leaves out.
      const word = first.items[7]!.title.split(' ').reduce((a, b) => (b.length > a.length ? b : a))
      const found = await s.queryItems({
        q: { include: [word], exclude: [] },
        limit: 100,
        clusters: 'all',
      })
      await s.flush()
      stores.push({ journaled, filed: filesOf(dir), found: found.items.map((i) => i.id) })
      await s.close()
    }
    const [plain, prepared] = stores
    // Not vacuous: the journal holds both saves, the partition all 50 items, the search finds some.
    expect(Object.values(plain!.journaled).join('').split('\n').length).toBeGreaterThan(2)
    const filed = Object.entries(plain!.filed).filter(([name]) => name.startsWith('items/'))
    expect(filed.flatMap(([, items]) => items as Item[]).length).toBe(50)
    expect(plain!.found.length).toBeGreaterThan(0)
    expect(prepared).toEqual(plain)
  })

  it('is ignored by the memory store', async () => {
    const { items, prepared } = await polled(5, '2026-11-20T12:00:00.000Z')
    const s = createMemoryStore()
    expect(await s.saveIngest({ sourceId: 'outlet', items, state, prepared })).toMatchObject({
      new: 50,
    })
    expect(await s.getItem(items[0]!.id)).toEqual(items[0])
  })
})
