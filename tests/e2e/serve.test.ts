/**
 * End to end: a loopback publisher serves our sample feeds → the real scheduler polls them into a
 * real lowdb file → the real HTTP server republishes them → a feed parser reads them back.
 */
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import Parser from 'rss-parser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_FEEDS_DIR } from '../../src/cli/demo.js'
import { type FeedServer, startFeedServer } from '../../src/cli/feed-server.js'
import { type Service, startService } from '../../src/cli/serve.js'
import { loadConfig } from '../../src/config/load.js'
import type { CycleSummary } from '../../src/ingest/scheduler.js'
import { AppError } from '../../src/model/errors.js'
import type { AppConfig } from '../../src/model/types.js'

const DEMO_CONFIG = resolve(import.meta.dirname, '../../config/demo.yaml')
const NEVER = '0 0 1 1 *' // the tick of these tests: the first poll at start, the rest by hand
const parser = new Parser()

let dir: string
let feeds: FeedServer
let config: AppConfig
let svc: Service

const start = async (): Promise<{ svc: Service; first: CycleSummary }> => {
  let done: (c: CycleSummary) => void = () => {}
  const first = new Promise<CycleSummary>((r) => {
    done = r
  })
  const s = await startService(config, {
    port: 0,
    hostname: '127.0.0.1',
    logLevel: 'silent',
    tick: NEVER,
    onCycle: (c) => done(c),
  })
  return { svc: s, first: await first }
}

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${svc.url}${path}`, { headers })

const readFeed = async (path: string) => {
  const res = await get(path)
  expect(res.status, path).toBe(200)
  return parser.parseString(await res.text())
}

const guids = (feed: { items: { guid?: string }[] }) => feed.items.map((i) => i.guid ?? '')

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'topicwire-e2e-'))
  await cp(DEMO_FEEDS_DIR, join(dir, 'feeds'), { recursive: true })
  feeds = await startFeedServer(join(dir, 'feeds'))
  config = await loadConfig(DEMO_CONFIG, {
    DEMO_FEEDS_URL: feeds.url,
    DEMO_DB: join(dir, 'db.json'),
  })
  const started = await start()
  svc = started.svc
  expect(started.first.totals.errors).toBe(0)
})

afterAll(async () => {
  await svc?.close()
  await feeds?.close()
  await rm(dir, { recursive: true, force: true })
})

describe('topicwire end to end', () => {
  it('polls every sample source successfully and reports their health', async () => {
    const body = (await (await get('/api/sources')).json()) as {
      sources: { id: string; items: number; health: { status: string; lastStatus: number } }[]
    }
    expect(body.sources.map((s) => [s.id, s.health.status, s.health.lastStatus])).toEqual(
      config.sources.map((s) => [s.id, 'ok', 200]),
    )
    for (const s of body.sources) expect(s.items, s.id).toBeGreaterThan(0)
  })

  it('publishes the topic feed with the right items and none of the others', async () => {
    // Every report (clusters=all): which report leads a story of several outlets depends on the
    // order the sources answered in; collapsing is the next test's.
    const feed = await readFeed('/topics/pakistan-afghanistan.rss?clusters=all&limit=500')
    const titles = feed.items.map((i) => i.title)
    expect(titles).toEqual(
      expect.arrayContaining([
        'Pakistan and Afghan Taliban delegations resume talks in Istanbul',
        'Torkham border reopens for trade after 19-day closure',
        'Kabul looks to Chabahar as transit trade with Pakistan stalls',
        'پاکستان اور افغانستان کے درمیان استنبول میں مذاکرات کا نیا دور',
      ]),
    )
    for (const negative of [
      'Lahore Qalandars beat Karachi Kings by 24 runs in PSL opener',
      'Afghanistan beat Pakistan by six wickets in T20 tri-series in Sharjah',
      'Finance minister unveils Rs17.6tr budget with focus on tax base',
      'Relief convoys reach quake-hit villages in Kunar',
    ]) {
      expect(titles).not.toContain(negative)
    }
    expect(new Set(guids(feed)).size).toBe(feed.items.length)
  })

  it('shows a story carried by two sources once, and both copies with clusters=all', async () => {
    const title = 'Torkham border reopens for trade after 19-day closure'
    const collapsed = await readFeed('/topics/pakistan-afghanistan.rss?limit=500')
    expect(collapsed.items.filter((i) => i.title === title)).toHaveLength(1)
    const all = await readFeed('/topics/pakistan-afghanistan.rss?limit=500&clusters=all')
    expect(all.items.filter((i) => i.title === title)).toHaveLength(2)
  })

  it('gives each item the same id in RSS, Atom and JSON Feed', async () => {
    const rss = guids(await readFeed('/topics/pakistan-afghanistan.rss'))
    const atom = (await readFeed('/topics/pakistan-afghanistan.atom')).items.map((i) => i.id)
    const json = (await (await get('/topics/pakistan-afghanistan.json')).json()) as {
      items: { id: string }[]
    }
    expect(atom).toEqual(rss)
    expect(json.items.map((i) => i.id)).toEqual(rss)
    for (const id of rss) expect(id).toMatch(/^urn:uuid:[0-9a-f-]{36}$/)
  })

  it('serves named feeds and subscribable searches', async () => {
    const regional = await readFeed('/feeds/pak-afghan-regional.rss')
    expect(regional.items.length).toBeGreaterThan(0)
    const sourceTitles = new Set(
      config.sources.filter((s) => ['pk-daily', 'kabul-wire'].includes(s.id)).map((s) => s.title),
    )
    const raw = await (await get('/feeds/pak-afghan-regional.rss')).text()
    for (const m of raw.matchAll(/<source url="[^"]*">([^<]*)<\/source>/g)) {
      expect(sourceTitles).toContain(m[1])
    }
    const search = await readFeed('/search.rss?q=Torkham&source=pk-daily')
    expect(search.items.length).toBeGreaterThan(0)
    for (const item of search.items) {
      const encoded = (item as Record<string, unknown>)['content:encoded']
      expect(`${item.title} ${item.content ?? ''} ${String(encoded)}`).toMatch(/torkham/i)
    }
  })

  it('answers a repeated conditional request with 304', async () => {
    const first = await get('/topics/pakistan-afghanistan.atom')
    const etag = first.headers.get('etag') ?? ''
    const again = await get('/topics/pakistan-afghanistan.atom', { 'If-None-Match': etag })
    expect(again.status).toBe(304)
    const since = await get('/topics/pakistan-afghanistan.atom', {
      'If-Modified-Since': first.headers.get('last-modified') ?? '',
    })
    expect(since.status).toBe(304)
  })

  it('adds nothing on a second poll: sources answer 304 and no item appears twice', async () => {
    const before = guids(await readFeed('/topics/pakistan-afghanistan.rss?clusters=all&limit=500'))
    const notModifiedBefore = feeds.hits[304] ?? 0
    const cycle = await svc.scheduler.runOnce({ force: true })
    expect(cycle.totals).toMatchObject({ new: 0, updated: 0, errors: 0 })
    expect(cycle.totals.notModified).toBe(config.sources.length)
    expect((feeds.hits[304] ?? 0) - notModifiedBefore).toBe(config.sources.length)
    const after = guids(await readFeed('/topics/pakistan-afghanistan.rss?clusters=all&limit=500'))
    expect(after).toEqual(before)
  })

  it('updates an item the publisher changed instead of adding it again', async () => {
    const file = join(dir, 'feeds', 'pk-daily.rss')
    const text = await readFile(file, 'utf8')
    const edited = text.replace(
      'Torkham border reopens for trade after 19-day closure',
      'Torkham border reopens for trade after 19-day closure (updated)',
    )
    expect(edited).not.toBe(text)
    await writeFile(file, edited)
    const count = (await (await get('/api/items?clusters=all&limit=500')).json()) as {
      items: unknown[]
    }
    const cycle = await svc.scheduler.runOnce({ force: true, sourceIds: ['pk-daily'] })
    expect(cycle.totals).toMatchObject({ new: 0, updated: 1 })
    const after = (await (await get('/api/items?clusters=all&limit=500')).json()) as {
      items: { title: string; updatedAt?: string }[]
    }
    expect(after.items).toHaveLength(count.items.length)
    const updated = after.items.find((i) => i.title.endsWith('(updated)'))
    expect(updated?.updatedAt).toBeDefined()
  })

  it('says which address is taken when the port is in use', async () => {
    const port = Number(new URL(svc.url).port)
    const other = { ...config, storage: { ...config.storage, path: join(dir, 'other.json') } }
    const err = await startService(other, {
      port,
      hostname: '127.0.0.1',
      logLevel: 'silent',
      tick: NEVER,
    }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(AppError)
    expect((err as AppError).message).toBe(
      `cannot listen on 127.0.0.1:${port}: another program is using that port; choose another with server.host and server.port in the configuration (or HOST and PORT)`,
    )
    // The running service is untouched.
    expect((await get('/api/sources')).status).toBe(200)
  })

  it('listens on server.host only (127.0.0.2 here: another loopback address on Linux)', async () => {
    const other: AppConfig = {
      ...config,
      server: { ...config.server, host: '127.0.0.2' },
      storage: { ...config.storage, path: join(dir, 'host.json') },
    }
    const s = await startService(other, { port: 0, logLevel: 'silent', tick: NEVER })
    try {
      const { hostname, port } = new URL(s.url)
      expect(hostname).toBe('127.0.0.2')
      expect((await fetch(`${s.url}/healthz`)).status).toBe(200)
      const elsewhere = await fetch(`http://127.0.0.1:${port}/healthz`).catch((e: unknown) => e)
      expect(elsewhere).toBeInstanceOf(TypeError)
      expect(((elsewhere as TypeError).cause as { code?: string }).code).toBe('ECONNREFUSED')
    } finally {
      await s.close()
    }
  })

  it('keeps the same ids after a restart from the lowdb partitions', async () => {
    const before = guids(await readFeed('/topics/pakistan-afghanistan.rss?clusters=all&limit=500'))
    await svc.close()
    const days = await readdir(join(dir, 'db', 'items'))
    expect(days.length).toBeGreaterThan(0)
    const day = JSON.parse(await readFile(join(dir, 'db', 'items', days[0]!), 'utf8')) as {
      items: unknown[]
    }
    expect(day.items.length).toBeGreaterThan(0)
    const restarted = await start()
    svc = restarted.svc
    expect(restarted.first.totals.new).toBe(0)
    const after = guids(await readFeed('/topics/pakistan-afghanistan.rss?clusters=all&limit=500'))
    expect(after).toEqual(before)
  })

  it('re-tags the stored items when it restarts with edited rules', async () => {
    const torkham = 'Torkham border reopens for trade after 19-day closure (updated)'
    const before = await readFeed('/topics/border-trade.rss?limit=500')
    expect(before.items.map((i) => i.title)).toContain(torkham)
    await svc.close()
    // The same configuration, but border-trade now excludes every item that mentions Torkham.
    config = {
      ...config,
      topics: config.topics.map((t) =>
        t.id === 'border-trade' ? { ...t, match: { all: [t.match], none: ['Torkham'] } } : t,
      ),
    }
    const restarted = await start()
    svc = restarted.svc
    expect(restarted.first.totals.new).toBe(0)
    const after = await readFeed('/topics/border-trade.rss?limit=500')
    expect(after.items.map((i) => i.title)).not.toContain(torkham)
    for (const item of after.items) expect(`${item.title}`).not.toMatch(/torkham/i)
  })
})
