/** Runs Debian's python3-feedparser (Universal Feed Parser) on a document, for parse-back tests. */
import { spawnSync } from 'node:child_process'

const PYTHON = '/usr/bin/python3'

const SCRIPT = `
import sys, json, calendar, feedparser
d = feedparser.parse(sys.stdin.buffer.read())
def ts(t): return calendar.timegm(t) if t else None
def source(e):
    s = e.get('source') or {}
    return {'title': s.get('title'), 'href': s.get('href') or s.get('link')} if s else None
print(json.dumps({
  'bozo': int(bool(d.bozo)),
  'bozo_exception': str(d.get('bozo_exception', '')),
  'version': d.version,
  'feed': {
    'title': d.feed.get('title'),
    'language': d.feed.get('language'),
    'links': [{'rel': l.get('rel'), 'href': l.get('href')} for l in d.feed.get('links', [])],
  },
  'entries': [{
    'id': e.get('id'),
    'link': e.get('link'),
    'title': e.get('title'),
    'published': ts(e.get('published_parsed')),
    'updated': ts(e.get('updated_parsed')),
    'tags': [{'term': t.get('term'), 'scheme': t.get('scheme'), 'label': t.get('label')} for t in e.get('tags', [])],
    'author': e.get('author'),
    'source': source(e),
    'enclosures': [{'href': x.get('href'), 'type': x.get('type'), 'length': x.get('length')} for x in e.get('enclosures', [])],
    'summary': e.get('summary'),
    'content': [c.get('value') for c in e.get('content', [])],
  } for e in d.entries],
}))
`

export interface FeedparserEntry {
  id: string | null
  link: string | null
  title: string | null
  /** Unix seconds. */
  published: number | null
  updated: number | null
  tags: { term: string | null; scheme: string | null; label: string | null }[]
  author: string | null
  source: { title: string | null; href: string | null } | null
  enclosures: { href: string | null; type: string | null; length: string | null }[]
  summary: string | null
  content: string[]
}

export interface FeedparserResult {
  bozo: number
  bozo_exception: string
  version: string
  feed: { title: string | null; language: string | null; links: { rel: string; href: string }[] }
  entries: FeedparserEntry[]
}

/** Why feedparser tests are skipped, or undefined when it is available. */
export const feedparserMissing = (): string | undefined => {
  const probe = spawnSync(PYTHON, ['-c', 'import feedparser'], { encoding: 'utf8' })
  if (probe.status === 0) return undefined
  return `${PYTHON} cannot import feedparser (apt-get install -y python3-feedparser)`
}

/** Parses a feed document with feedparser and returns what it saw. */
export const feedparse = (doc: string): FeedparserResult => {
  const run = spawnSync(PYTHON, ['-c', SCRIPT], { input: doc, encoding: 'utf8', timeout: 60_000 })
  if (run.status !== 0) throw new Error(`feedparser failed: ${run.stderr}`)
  return JSON.parse(run.stdout) as FeedparserResult
}
