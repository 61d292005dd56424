import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { diffTopics, previewTopics } from '../../src/cli/check.js'
import { main } from '../../src/cli/index.js'
import { loadConfig } from '../../src/config/load.js'
import type { Item } from '../../src/model/types.js'
import { createLowdbStore } from '../../src/store/lowdb.js'
import { createMemoryStore } from '../../src/store/memory.js'
import { makeItem } from '../helpers/items.js'

/** Stored with the topics the old rules gave them. */
const STORED: Item[] = [
  makeItem({
    sourceId: 'dawn',
    title: 'Torkham reopens for trade',
    publishedAt: '2026-03-09T08:00:00.000Z',
    topics: ['relations', 'trade'],
  }),
  makeItem({
    sourceId: 'dawn',
    title: 'Kabul cricket fans celebrate',
    summary: 'Crowds filled the streets.',
    publishedAt: '2026-03-08T08:00:00.000Z',
    topics: ['relations'],
  }),
  makeItem({
    sourceId: 'tolo',
    title: 'Afghan refugees return from Pakistan',
    summary: 'Families crossed at the border.',
    publishedAt: '2026-03-07T08:00:00.000Z',
    topics: [],
  }),
  makeItem({
    sourceId: 'ariana',
    title: 'Kabul talks resume',
    summary: 'Delegations met on Monday.',
    publishedAt: '2026-03-06T08:00:00.000Z',
    topics: ['relations'],
  }),
]

/** The edited configuration: cricket excluded, `refugees` added, `trade` dropped, `ariana` gone. */
const EDITED = (db: string) => `storage:
  path: ${db}
  retention: { max_age_days: 3650 }
sources:
  - id: dawn
    title: Dawn
    url: https://www.dawn.com/feeds/home
  - id: tolo
    title: TOLOnews
    url: https://tolonews.com/rss.xml
topics:
  relations:
    title: Relations
    match:
      any: [Torkham, Kabul]
      none: [cricket]
  refugees:
    title: Refugees
    match: { any: [refugees] }
`

let dir: string
let configFile: string

const seed = async (path: string) => {
  const store = await createLowdbStore({ path })
  for (const sourceId of ['dawn', 'tolo', 'ariana'])
    await store.saveIngest({
      sourceId,
      items: STORED.filter((i) => i.sourceId === sourceId),
      state: { sourceId, failures: 0, nextPollAt: '2026-03-10T00:00:00.000Z' },
    })
  await store.flush()
  await store.close()
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'topicwire-check-'))
  const db = join(dir, 'db.json')
  await seed(db)
  configFile = join(dir, 'topicwire.yaml')
  await writeFile(configFile, EDITED(db))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const run = async (argv: string[]) => {
  const out: string[] = []
  const err: string[] = []
  const code = await main(argv, {}, { out: (l) => out.push(l), err: (l) => err.push(l) })
  return { code, out, err }
}

describe('topicwire check --preview', () => {
  it('prints, per topic, the stored items the edited rules would add and remove', async () => {
    const { code, out, err } = await run(['check', '--preview', '--config', configFile])
    expect(err).toEqual([])
    expect(code).toBe(0)
    expect(out[0]).toBe(`${configFile}: OK (2 sources, 2 topics, 0 feeds)`)
    expect(out.slice(1)).toEqual([
      '',
      `Preview of the topic rules in ${configFile} over 4 stored items: 3 would change.`,
      '',
      'relations — Relations: 3 → 2 items (+0 −1)',
      '  − Kabul cricket fans celebrate  [Dawn, 2026-03-08]',
      '',
      'refugees — Refugees: 0 → 1 item (+1 −0)',
      '  + Afghan refugees return from Pakistan  [TOLOnews, 2026-03-07]',
      '',
      'trade — no longer configured: 1 → 0 items (+0 −1)',
      '  − Torkham reopens for trade  [Dawn, 2026-03-09]',
      '',
      '1 stored item from sources the configuration no longer lists: topics kept as they are.',
    ])
  })

  it('changes nothing in the store', async () => {
    await run(['check', '--preview', '--config', configFile])
    const store = await createLowdbStore({ path: join(dir, 'db.json') })
    const page = await store.queryItems({ limit: 10, clusters: 'all' })
    await store.close()
    expect(page.items.map((i) => [i.title, i.topics])).toEqual(
      STORED.map((i) => [i.title, i.topics]),
    )
  })

  it('without --preview only validates', async () => {
    const { code, out } = await run(['check', '--config', configFile])
    expect(code).toBe(0)
    expect(out).toEqual([`${configFile}: OK (2 sources, 2 topics, 0 feeds)`])
  })
})

describe('previewTopics', () => {
  it('says when no item would change', async () => {
    const config = await loadConfig(configFile, {})
    const store = createMemoryStore()
    await store.saveIngest({
      sourceId: 'dawn',
      items: [makeItem({ sourceId: 'dawn', title: 'Kabul talks', topics: ['relations'] })],
      state: { sourceId: 'dawn', failures: 0, nextPollAt: '2026-03-10T00:00:00.000Z' },
    })
    const lines = await previewTopics(config, store)
    expect(lines[1]).toMatch(/over 1 stored item: no item would change\.$/)
    expect(lines).toContain('relations — Relations: 1 → 1 item (unchanged)')
    expect(lines).toContain('refugees — Refugees: 0 → 0 items (unchanged)')
  })

  it('lists at most `limit` items per direction, newest first, and counts the rest', async () => {
    const config = await loadConfig(configFile, {})
    const store = createMemoryStore()
    const items = [1, 2, 3, 4].map((d) =>
      makeItem({
        sourceId: 'tolo',
        title: `Refugees story ${d}`,
        publishedAt: `2026-03-0${d}T08:00:00.000Z`,
      }),
    )
    await store.saveIngest({
      sourceId: 'tolo',
      items,
      state: { sourceId: 'tolo', failures: 0, nextPollAt: '2026-03-10T00:00:00.000Z' },
    })
    const diff = await diffTopics(config, store)
    expect(diff.topics.find((t) => t.topicId === 'refugees')?.added).toHaveLength(4)
    const lines = await previewTopics(config, store, { limit: 2 })
    const at = lines.indexOf('refugees — Refugees: 0 → 4 items (+4 −0)')
    expect(lines.slice(at, at + 4)).toEqual([
      'refugees — Refugees: 0 → 4 items (+4 −0)',
      '  + Refugees story 4  [TOLOnews, 2026-03-04]',
      '  + Refugees story 3  [TOLOnews, 2026-03-03]',
      '  … and 2 more added',
    ])
  })
})
