/** OPML 2.0 of the named feeds and topic feeds (optionally per-source feeds) for a one-click import. */
import type { FeedDef, Source, Topic } from '../model/types.js'
import { stripInvalidXmlChars } from './escape.js'
import { type OpmlOutline, renderOpmlDocument } from './opml-document.js'

/** `Content-Type` of `GET /opml`. */
export const OPML_CONTENT_TYPE = 'text/x-opml; charset=utf-8'

/** What the OPML lists. */
export interface OpmlInput {
  /** `<head><title>`. */
  title: string
  /** Absolute, e.g. `http://localhost:8080` (a trailing slash is tolerated). */
  baseUrl: string
  /** `server.feed_token`, when set: every `xmlUrl` and `htmlUrl` carries `?token=`. */
  token?: string
  feeds: readonly FeedDef[]
  topics: readonly Topic[]
  /** Given: one more group with each source's own feed. */
  sources?: readonly Source[]
}

type Outline = OpmlOutline

/**
 * Renders the OPML (pure): one `Feeds` group of the named feeds, one `Topics` group of the topic
 * feeds, and with `sources` a `Sources` group; each feed once, `type="rss"`, with an absolute RSS
 * `xmlUrl` and an `htmlUrl` pointing at its card on the index page.
 * @example await renderOpml({ title: 'topicwire', baseUrl, feeds: config.feeds, topics: config.topics })
 */
export const renderOpml = (input: OpmlInput): Promise<string> => {
  const base = input.baseUrl.replace(/\/+$/, '')
  const q = input.token ? `?token=${encodeURIComponent(input.token)}` : ''
  const entry = (kind: string, id: string, title: string, description?: string): Outline => {
    const path = `/${kind}/${encodeURIComponent(id)}`
    const outline: Outline = {
      text: clean(title),
      title: clean(title),
      type: 'rss',
      xmlUrl: `${base}${path}.rss${q}`,
      htmlUrl: `${base}/${q}#${kind.replace(/s$/, '')}-${encodeURIComponent(id)}`,
    }
    if (description) outline.description = clean(description)
    return outline
  }
  const groups: [string, Outline[]][] = [
    ['Feeds', input.feeds.map((f) => entry('feeds', f.id, f.title, f.description))],
    [
      'Topics',
      input.topics.map((t) =>
        entry('topics', t.id, t.title, `Items tagged “${t.title}”, from every source`),
      ),
    ],
    [
      'Sources',
      (input.sources ?? []).map((s) =>
        entry('sources', s.id, s.title, `${s.title}, deduplicated and tagged by topicwire`),
      ),
    ],
  ]
  const outlines: Outline[] = groups
    .filter(([, list]) => list.length > 0)
    .map(([name, list]) => ({ text: name, title: name, outlines: list }))
  // OPML 2.0 wants at least one outline in <body>.
  if (outlines.length === 0) outlines.push({ text: 'No feeds are configured', isComment: true })
  return renderOpmlDocument(
    { title: clean(input.title), docs: 'https://opml.org/spec2.opml' },
    outlines,
  )
}

const clean = (text: string): string => stripInvalidXmlChars(text).trim()
