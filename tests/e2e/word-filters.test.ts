/** `fetch --once` into the lowdb store with an analysis worker: the word filters it files are the items' own, and `q` finds exactly the items whose text has the words. */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_FEEDS_DIR } from '../../src/cli/demo.js'
import { type FeedServer, startFeedServer } from '../../src/cli/feed-server.js'
import type { Item, SearchTerms } from '../../src/model/types.js'
import { createPartitionedStore } from '../../src/store/lowdb/partitioned-store.js'
import { compileTerms, searchTextOf } from '../../src/store/query.js'
import { normalizeText } from '../../src/topics/text.js'
import { wordsOf } from '../../src/topics/word-filter.js'
import { runCli } from '../helpers/cli.js'

let dir: string
let feeds: FeedServer

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'topicwire-words-e2e-'))
  feeds = await startFeedServer(DEMO_FEEDS_DIR)
})
afterAll(async () => {
  await feeds?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('fetch --once, then q', { timeout: 120_000 }, () => {
  it('files each item with its own word filter, and q finds the items with the words', async () => {
    const names = (await readdir(DEMO_FEEDS_DIR)).filter((n) => n !== 'not-a-feed.html')
    const config = join(dir, 'topicwire.yaml')
    await writeFile(
      config,
      `storage:
  path: ${join(dir, 'db.json')}
  retention: { max_age_days: 3650 }
fetch:
  allow_private_networks: true
  workers: 1
sources:
${names.map((n, k) => `  - { id: s${k}, url: "${feeds.url}/${n}" }`).join('\n')}
`,
    )
    const run = await runCli(['fetch', '--once', '--config', config])
    expect(run.code).toBe(0)

    const store = await createPartitionedStore({ path: join(dir, 'db.json'), readOnly: true })
    const all = (await store.queryItems({ limit: 500, clusters: 'all' })).items
    expect(all.length).toBeGreaterThan(30)
    const byId = new Map(all.map((i) => [i.id, i]))

    // Every item's filed filter is the filter of its search fields.
    let filed = 0
    for (const name of await readdir(join(dir, 'db', 'index'))) {
      const c = JSON.parse(await readFile(join(dir, 'db', 'index', name), 'utf8'))
      c.id.forEach((id: string, k: number) => {
        expect(c.words[k], id).toBe(wordsOf(byId.get(id) as Item))
        filed++
      })
    }
    expect(filed).toBe(all.length)

    // Terms from the items themselves (Latin, Cyrillic, Urdu script…), each alone and with one
    // excluded: the store finds what a test of each item's whole text finds.
    const words = [...new Set(all.flatMap((i) => normalizeText(i.title).split(' ')))]
      .filter((w) => w.length > 3)
      .slice(0, 60)
    expect(words.some((w) => /[^\p{ASCII}]/u.test(w))).toBe(true)
    const termSets: SearchTerms[] = [
      ...words.map((w) => ({ include: [w], exclude: [] })),
      ...words.slice(1).map((w, k) => ({ include: [w], exclude: [words[k] as string] })),
    ]
    let hits = 0
    for (const terms of termSets) {
      const test = compileTerms(terms)
      const expected = all.filter((i) => test(searchTextOf(i))).map((i) => i.id)
      const found = (await store.queryItems({ q: terms, limit: 500, clusters: 'all' })).items
      expect(found.map((i) => i.id).sort(), JSON.stringify(terms)).toEqual(expected.sort())
      hits += found.length
    }
    expect(hits).toBeGreaterThan(termSets.length)
    await store.close()
  })
})
