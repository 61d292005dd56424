/** analyseFeed: the CPU-bound half of a poll (pure) — decode → parse → skip unchanged → normalise → dedupe → tag. */
import type { AnalysedFeed, AnalyseInput, Item, Tagger } from '../model/types.js'
import { decodeBody } from './decode.js'
import { dedupeWithinSource } from './dedupe.js'
import { freshEntries } from './entry-memo.js'
import { futureDatesNote, normalizeFeed } from './normalize.js'
import { parseFeed } from './parse.js'

/**
 * Analyses one fetched document (pure: the same input gives the same output, so it runs alike in
 * the poll's thread and in a worker, see analyse-pool.ts). Throws `ParseError` for a document that
 * is not a feed.
 * @example const { items } = await analyseFeed({ body, source, feedUrl, fetchedAt }, deps.tagger)
 */
export const analyseFeed = async (input: AnalyseInput, tagger: Tagger): Promise<AnalysedFeed> => {
  const { source, feedUrl } = input
  const { text } = decodeBody(input.body, input.contentType)
  const feed = await parseFeed(text, feedUrl)
  const previous = input.previousKeys
  const fresh = freshEntries(
    feed,
    source,
    feedUrl,
    previous && { has: (_, key) => previous.has(key), get: () => previous, set: () => {} },
  )
  const normalized = normalizeFeed(
    { ...feed, entries: fresh.entries },
    source,
    new Date(input.fetchedAt),
    feedUrl,
  )
  const items = dedupeWithinSource(normalized.items).map(
    (item): Item => ({ ...item, topics: tagger(item, source) }),
  )
  const futureNote = futureDatesNote(normalized.futureDates)
  return {
    items,
    keys: [...fresh.keys],
    skipped: fresh.skipped,
    ...(feed.ttlMinutes === undefined ? {} : { ttlMinutes: feed.ttlMinutes }),
    recovered: futureNote ? [...feed.recovered, futureNote] : feed.recovered,
  }
}
