/** configFingerprint: a short hash of what a configuration puts into any served document. */
import type { AppConfig } from '../model/types.js'
import { sha256Hex } from '../util/hash.js'

/** One fingerprint per configuration object: a reload replaces the object, so it never goes stale. */
const fingerprints = new WeakMap<AppConfig, string>()

/**
 * What of the configuration feeds, `/` and `/opml` show (base URL, titles, links, which feeds
 * hold what, whether a token is needed), hashed: part of every validator, so a reload that
 * renames a topic changes the ETags. One function for every route: a field that some document
 * shows belongs here, and at worst a reload re-validates a document it did not change.
 * @example computeValidators(items, `${configFingerprint(config)}:rss:/topics/x?`)
 */
export const configFingerprint = (config: AppConfig): string => {
  let fp = fingerprints.get(config)
  if (!fp) {
    const shown = {
      base: config.server.baseUrl,
      token: config.server.feedToken ? sha256Hex(config.server.feedToken) : '',
      sources: config.sources.map((s) => [s.id, s.title, s.url, s.enabled]),
      topics: config.topics.map((t) => [t.id, t.title]),
      feeds: config.feeds.map((f) => [
        f.id,
        f.title,
        f.description,
        f.topics,
        f.sources,
        f.limit,
        f.excludeTopics,
      ]),
    }
    fp = sha256Hex(JSON.stringify(shown)).slice(0, 16)
    fingerprints.set(config, fp)
  }
  return fp
}
