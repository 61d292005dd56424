/**
 * Real feed readers against the running server: Debian's python3-feedparser reads every route in
 * RSS and Atom, our JSON Feed 1.1 checker (tests/helpers/json-feed.ts) checks every JSON
 * document, and newsboat subscribes, reloads after a re-poll, and must never show an item twice.
 */
import { execFile, spawnSync } from 'node:child_process'
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_FEEDS_DIR } from '../../src/cli/demo.js'
import { type FeedServer, startFeedServer } from '../../src/cli/feed-server.js'
import { type Service, startService } from '../../src/cli/serve.js'
import { loadConfig } from '../../src/config/load.js'
import type { AppConfig } from '../../src/model/types.js'
import { validateJsonFeed } from '../helpers/json-feed.js'

const run = promisify(execFile)
const PYTHON = '/usr/bin/python3'
const DEMO_CONFIG = resolve(import.meta.dirname, '../../config/demo.yaml')
const NEVER = '0 0 1 1 *'
const TIMEOUT = 120_000

/** Why a reader cannot run here; in CI (`CI` set) a missing reader fails instead of skipping. */
const missing = (probe: () => boolean, reason: string): string | undefined => {
  if (probe()) return undefined
  if (process.env.CI) throw new Error(`${reason}; CI must install it`)
  return reason
}
const feedparserMissing = missing(
  () => spawnSync(PYTHON, ['-c', 'import feedparser']).status === 0,
  `${PYTHON} cannot import feedparser (apt-get install -y python3-feedparser)`,
)
const newsboatMissing = missing(
  () => spawnSync('newsboat', ['-v']).status === 0,
  'newsboat is not installed (apt-get install -y newsboat)',
)
const skipNote = (reason: string | undefined): string => (reason ? ` (skipped: ${reason})` : '')
if (feedparserMissing)
  console.warn(`readers.test.ts: feedparser tests skipped: ${feedparserMissing}`)
if (newsboatMissing) console.warn(`readers.test.ts: newsboat tests skipped: ${newsboatMissing}`)

let dir: string
let feeds: FeedServer
let config: AppConfig
let svc: Service

const freePort = (): Promise<number> =>
  new Promise((done, fail) => {
    const srv = createServer()
    srv.once('error', fail)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      srv.close(() => done(typeof addr === 'object' && addr ? addr.port : 0))
    })
  })

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'topicwire-readers-'))
  await cp(DEMO_FEEDS_DIR, join(dir, 'feeds'), { recursive: true })
  feeds = await startFeedServer(join(dir, 'feeds'))
  // Self and next links must point at this server, so the port is chosen before loading.
  const port = await freePort()
  config = await loadConfig(DEMO_CONFIG, {
    DEMO_FEEDS_URL: feeds.url,
    DEMO_DB: join(dir, 'db.json'),
    PORT: String(port),
    BASE_URL: `http://127.0.0.1:${port}`,
  })
  let polled: () => void = () => {}
  const first = new Promise<void>((r) => {
    polled = r
  })
  svc = await startService(config, {
    port,
    hostname: '127.0.0.1',
    logLevel: 'silent',
    tick: NEVER,
    onCycle: () => polled(),
  })
  await first
}, TIMEOUT)

afterAll(async () => {
  await svc?.close()
  await feeds?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

// --- What the API says each feed must contain ---

interface Route {
  /** Path without extension, with its query. */
  path: string
  /** The same selection as /api/items parameters. */
  api: Record<string, string>
}

const SEARCHES: Record<string, string>[] = [
  { q: 'torkham' },
  { q: 'title:talks' },
  { q: 'kabul -cricket' },
  { lang: 'ur' },
  { not_topic: 'pakistan-afghanistan' },
  { source: 'pk-daily,kabul-wire', since: '2026-03-01', until: '2026-03-11' },
  { topic: 'border-trade,security-militancy', clusters: 'all' },
]

const routes = (): Route[] => [
  ...config.topics.map((t) => ({ path: `/topics/${t.id}`, api: { topic: t.id } })),
  ...config.sources.map((s) => ({ path: `/sources/${s.id}`, api: { source: s.id } })),
  ...config.feeds.map((f) => ({
    path: `/feeds/${f.id}`,
    api: {
      ...(f.topics ? { topic: f.topics.join(',') } : {}),
      ...(f.sources ? { source: f.sources.join(',') } : {}),
      ...(f.excludeTopics.length > 0 ? { not_topic: f.excludeTopics.join(',') } : {}),
      limit: String(f.limit),
    },
  })),
  ...SEARCHES.map((params) => ({ path: `/search?${new URLSearchParams(params)}`, api: params })),
]

/** `/search?q=x` + `atom` → `/search.atom?q=x`. */
const withExt = (path: string, ext: string): string => {
  const [p, q] = path.split('?')
  return `${p}.${ext}${q ? `?${q}` : ''}`
}

const expectedIds = async (api: Record<string, string>): Promise<string[]> => {
  const res = await fetch(`${svc.url}/api/items?${new URLSearchParams(api)}`)
  expect(res.status, JSON.stringify(api)).toBe(200)
  const body = (await res.json()) as { items: { id: string }[] }
  return body.items.map((i) => `urn:uuid:${i.id}`)
}

// --- feedparser ---

const FEEDPARSER = `
import sys, json, feedparser
def ids(d): return [e.get('id') for e in d.entries]
def nxt(d): return next((l.get('href') for l in d.feed.get('links', []) if l.get('rel') == 'next'), None)
out = []
for r in json.load(sys.stdin):
    d = feedparser.parse(r['url'])
    res = {
        'url': r['url'], 'status': d.get('status'), 'bozo': int(bool(d.bozo)),
        'bozo_exception': str(d.get('bozo_exception', '')), 'version': d.version,
        'content_type': d.get('headers', {}).get('content-type'), 'ids': ids(d), 'next': nxt(d),
        'incomplete': [e.get('id') for e in d.entries
                       if not e.get('title') or not e.get('published_parsed') or not e.get('link')],
    }
    if r.get('conditional'):
        res['by_etag'] = feedparser.parse(r['url'], etag=d.get('etag')).get('status')
        res['by_modified'] = feedparser.parse(r['url'], modified=d.get('modified')).get('status')
    if r.get('follow'):
        pages, link, bozo = [res['ids']], res['next'], 0
        while link and len(pages) < 50:
            p = feedparser.parse(link)
            bozo |= int(bool(p.bozo))
            pages.append(ids(p))
            link = nxt(p)
        res['pages'], res['pages_bozo'] = pages, bozo
    out.append(res)
print(json.dumps(out))
`

interface Parsed {
  url: string
  status: number | null
  bozo: number
  bozo_exception: string
  version: string
  content_type: string | null
  ids: (string | null)[]
  next: string | null
  incomplete: (string | null)[]
  by_etag?: number
  by_modified?: number
  pages?: (string | null)[][]
  pages_bozo?: number
}

/** Runs feedparser over URLs in one Python process (asynchronously: the server is in this one). */
const feedparse = async (
  requests: { url: string; conditional?: boolean; follow?: boolean }[],
): Promise<Parsed[]> => {
  const child = execFile(PYTHON, ['-c', FEEDPARSER], { timeout: TIMEOUT, maxBuffer: 64 << 20 })
  child.stdin?.end(JSON.stringify(requests))
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString()
  })
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString()
  })
  const code = await new Promise<number | null>((done) => child.on('close', done))
  if (code !== 0) throw new Error(`feedparser exited with ${code}: ${stderr}`)
  return JSON.parse(stdout) as Parsed[]
}

describe.skipIf(feedparserMissing !== undefined)(
  `python3-feedparser${skipNote(feedparserMissing)}`,
  () => {
    it(
      'reads every route in RSS and Atom with bozo 0, the expected entries and their urn:uuid ids',
      async () => {
        const cases = routes().flatMap((r) =>
          (['rss', 'atom'] as const).map((ext) => ({
            ...r,
            ext,
            url: `${svc.url}${withExt(r.path, ext)}`,
          })),
        )
        const parsed = await feedparse(cases.map((c) => ({ url: c.url })))
        let entries = 0
        for (const [i, c] of cases.entries()) {
          const p = parsed[i]
          const want = await expectedIds(c.api)
          expect(p?.status, c.url).toBe(200)
          expect(p?.bozo, `${c.url}: ${p?.bozo_exception}`).toBe(0)
          expect(p?.version, c.url).toBe(c.ext === 'rss' ? 'rss20' : 'atom10')
          expect(p?.content_type, c.url).toBe(
            c.ext === 'rss'
              ? 'application/rss+xml; charset=utf-8'
              : 'application/atom+xml; charset=utf-8',
          )
          expect(p?.ids, c.url).toEqual(want)
          expect(p?.incomplete, c.url).toEqual([])
          for (const id of p?.ids ?? []) expect(id).toMatch(/^urn:uuid:[0-9a-f-]{36}$/)
          entries += want.length
        }
        // Not a vacuous pass: the demo fills most of these feeds.
        expect(cases.length).toBeGreaterThanOrEqual(40)
        expect(entries).toBeGreaterThan(200)
      },
      TIMEOUT,
    )

    it(
      'gets 304 for its conditional requests, by ETag and by Last-Modified',
      async () => {
        const urls = [
          '/topics/pakistan-afghanistan.rss',
          '/feeds/pak-afghan.atom',
          '/search.rss?q=torkham',
        ]
        const parsed = await feedparse(
          urls.map((u) => ({ url: `${svc.url}${u}`, conditional: true })),
        )
        for (const p of parsed) {
          expect(p.status, p.url).toBe(200)
          expect([p.by_etag, p.by_modified], p.url).toEqual([304, 304])
        }
      },
      TIMEOUT,
    )

    it(
      'pages a feed longer than its limit through rel="next" and sees every item once',
      async () => {
        const [rss, atom] = await feedparse([
          { url: `${svc.url}/topics/pakistan-afghanistan.rss?limit=4`, follow: true },
          { url: `${svc.url}/feeds/pak-afghan.atom?limit=5`, follow: true },
        ])
        const all = await expectedIds({ topic: 'pakistan-afghanistan', limit: '500' })
        for (const [p, size] of [
          [rss, 4],
          [atom, 5],
        ] as const) {
          expect(p?.pages_bozo, p?.url).toBe(0)
          const pages = p?.pages ?? []
          expect(pages.length, p?.url).toBe(Math.ceil(all.length / size))
          for (const page of pages.slice(0, -1)) expect(page).toHaveLength(size)
          expect(pages.flat(), p?.url).toEqual(all)
        }
      },
      TIMEOUT,
    )
  },
)

describe('JSON Feed 1.1 (checked by our validator: feedparser 6 does not read JSON Feed)', () => {
  it(
    'serves a valid JSON Feed with the expected ids on every route',
    async () => {
      for (const r of routes()) {
        const url = `${svc.url}${withExt(r.path, 'json')}`
        const res = await fetch(url)
        expect(res.status, url).toBe(200)
        expect(res.headers.get('content-type')).toBe('application/feed+json; charset=utf-8')
        const doc: unknown = await res.json()
        expect(validateJsonFeed(doc), url).toEqual([])
        const items = (doc as { items: { id: string }[]; feed_url: string }).items
        expect(
          items.map((i) => i.id),
          url,
        ).toEqual(await expectedIds(r.api))
        // The self link carries the query sorted by name, without the feed token.
        const self = new URL(withExt(r.path, 'json'), svc.url)
        self.searchParams.sort()
        expect((doc as { feed_url: string }).feed_url).toBe(self.href)
      }
    },
    TIMEOUT,
  )

  it('links the next page with next_url', async () => {
    const res = await fetch(`${svc.url}/topics/pakistan-afghanistan.json?limit=3`)
    const doc = (await res.json()) as { next_url?: string; items: unknown[] }
    expect(validateJsonFeed(doc)).toEqual([])
    expect(doc.items).toHaveLength(3)
    const next = await fetch(doc.next_url ?? '', { headers: { Accept: 'application/feed+json' } })
    const page2 = (await next.json()) as { items: unknown[] }
    expect(validateJsonFeed(page2)).toEqual([])
    expect(page2.items).toHaveLength(3)
  })
})

// --- newsboat ---

const NEWSBOAT_DB = `
import sqlite3, sys, json
c = sqlite3.connect(sys.argv[1])
print(json.dumps(c.execute('select guid, feedurl, title from rss_item order by id').fetchall()))
`

describe.skipIf(newsboatMissing !== undefined)(`newsboat${skipNote(newsboatMissing)}`, () => {
  const files = () => ({
    home: join(dir, 'newsboat'),
    urls: join(dir, 'newsboat', 'urls'),
    cache: join(dir, 'newsboat', 'cache.db'),
    conf: join(dir, 'newsboat', 'config'),
  })
  const newsboat = async (...commands: string[]): Promise<string> => {
    const f = files()
    const { stdout } = await run(
      'newsboat',
      ['-u', f.urls, '-c', f.cache, '-C', f.conf, '-x', ...commands],
      {
        timeout: 60_000,
        env: {
          ...process.env,
          HOME: f.home,
          XDG_CONFIG_HOME: join(f.home, '.config'),
          XDG_DATA_HOME: join(f.home, '.local', 'share'),
        },
      },
    )
    return stdout
  }
  const unread = async (): Promise<number> => {
    const out = await newsboat('print-unread')
    const m = /^(\d+) unread articles/m.exec(out)
    if (!m) throw new Error(`newsboat print-unread said: ${out}`)
    return Number(m[1])
  }
  const stored = async (): Promise<[string, string, string][]> => {
    const { stdout } = await run(PYTHON, ['-c', NEWSBOAT_DB, files().cache], { timeout: 60_000 })
    return JSON.parse(stdout) as [string, string, string][]
  }
  const FEEDS: { path: string; api: Record<string, string> }[] = [
    { path: '/topics/pakistan-afghanistan.rss', api: { topic: 'pakistan-afghanistan' } },
    // Its complement: every other item (a guid in two subscriptions is stored once by newsboat).
    {
      path: '/search.atom?not_topic=pakistan-afghanistan',
      api: { not_topic: 'pakistan-afghanistan' },
    },
  ]
  /** 304s the server has answered so far, from its Prometheus metrics. */
  const notModifiedCount = async (): Promise<number> => {
    const text = await (await fetch(`${svc.url}/metrics`)).text()
    return [
      ...text.matchAll(
        /^topicwire_http_request_duration_seconds_count\{.*,status="304"\} (\d+)$/gm,
      ),
    ]
      .map((m) => Number(m[1]))
      .reduce((a, b) => a + b, 0)
  }
  const expectedAll = async (): Promise<string[]> =>
    (await Promise.all(FEEDS.map((f) => expectedIds(f.api)))).flat()

  it(
    'sees every item once, and after a re-poll adds only the new one and updates the edited one',
    async () => {
      const f = files()
      await mkdir(f.home, { recursive: true })
      await writeFile(f.urls, FEEDS.map((x) => `${svc.url}${x.path}\n`).join(''))
      await writeFile(f.conf, '')
      const before = await expectedAll()
      expect(before.length).toBeGreaterThan(20)
      await newsboat('reload')
      const first = await stored()
      expect(first.map(([guid]) => guid).sort()).toEqual([...before].sort())
      expect(await unread()).toBe(before.length)

      // The publisher adds a story and corrects a headline; topicwire polls it.
      const file = join(dir, 'feeds', 'pk-daily.rss')
      const text = await readFile(file, 'utf8')
      const edited = text
        .replace(
          '<lastBuildDate>',
          `<item>
      <title>Torkham crossing extends hours for cargo trucks</title>
      <link>https://www.pkdaily.example/news/2026/03/11/torkham-hours</link>
      <guid isPermaLink="false">pkdaily-2026-031101</guid>
      <pubDate>Wed, 11 Mar 2026 09:00:00 +0500</pubDate>
      <description>Customs officials at Torkham said the crossing will stay open until midnight for trade.</description>
    </item>
    <lastBuildDate>`,
        )
        .replace(
          'Torkham border reopens for trade after 19-day closure',
          'Torkham border reopens for trade after 19-day closure (updated)',
        )
      expect(edited).not.toBe(text)
      await writeFile(file, edited)
      const cycle = await svc.scheduler.runOnce({ force: true, sourceIds: ['pk-daily'] })
      expect(cycle.totals).toMatchObject({ new: 1, updated: 1, errors: 0 })
      const after = await expectedAll()
      const added = after.filter((id) => !before.includes(id))
      expect(added).toHaveLength(1)

      await newsboat('reload')
      const second = await stored()
      const guids = second.map(([guid]) => guid)
      expect(new Set(guids).size).toBe(guids.length)
      expect(guids.sort()).toEqual([...new Set([...before, ...after])].sort())
      expect(await unread()).toBe(before.length + 1)
      const titles = second.map(([, , title]) => title)
      expect(titles).toContain('Torkham crossing extends hours for cargo trucks')
      expect(titles).toContain('Torkham border reopens for trade after 19-day closure (updated)')

      // Nothing changed since: newsboat revalidates with its stored ETag, gets 304s, adds nothing.
      const before304 = await notModifiedCount()
      await newsboat('reload')
      expect(await stored()).toHaveLength(second.length)
      expect((await notModifiedCount()) - before304).toBe(FEEDS.length)
    },
    TIMEOUT,
  )
})
