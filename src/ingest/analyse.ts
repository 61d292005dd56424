/** analyseFeed: the CPU-bound half of a poll (pure) — decompress → decode → parse → skip unchanged → normalise → dedupe → tag. */
import type { Item, Source } from '../model/types.js'
import type { StoryFeatures } from '../stories/features.js'
import { storyFeatures } from '../stories/features.js'
import type { Tagger } from '../topics/tag.js'
import { hasNonAscii } from '../topics/text.js'
import { beginItemWords, finishItemWords } from '../topics/word-filter.js'
import { digest, digestOfPieces } from '../util/hash.js'
import { displayUrl } from '../util/url.js'
import { cutSummaryOf, forgetCutSummary } from './cut-summary.js'
import { dedupeWithinSource } from './dedupe.js'
import { clashesWithSkipped, identityOf, parsedEntryKeys } from './entry-memo.js'
import { undoCodings } from './fetch/content-coding.js'
import { cappedNote, futureDatesNote, normalizeFeed } from './normalize.js'
import { decodeBody } from './parse/decode.js'
import { parseJsonFeed } from './parse/json-feed.js'
import { type ReadDocument, readDocument } from './parse/parse-feed.js'
import type { ParsedFeed } from './parse/types.js'
import { parseXmlFeed } from './parse/xml.js'
import { splitEntries, withEntries } from './parse/xml-split.js'

/** One fetched document to analyse: everything the result depends on. */
export interface AnalyseInput {
  /** The response body as it came: compressed when `codings` says so; in its charset either way. */
  body: Uint8Array
  /** Content codings to undo first (gzip, deflate, br), in the order applied. */
  codings?: readonly string[]
  /** Cap on the body once its codings are undone (fetch.max_bytes). */
  maxBytes?: number
  contentType?: string
  source: Source
  /** The URL the document came from after redirects: the base of relative links. */
  feedUrl: string
  /** The fetch time, ISO 8601: `fetchedAt` of new items and the bound for future dates. */
  fetchedAt: string
  /** The entries of the source's last stored poll (see EntryMemo); absent: process every entry. */
  previous?: ReadonlyMap<string, string>
  /** Also compute each item's story features (for the story index, which then need not). */
  storyFeatures?: boolean
  /** Also compute each item's word filter (for the lowdb store, which then need not). */
  wordFilters?: boolean
  /**
   * Keep each cut summary's one-byte text (cut-summary.ts) for the caller, which then
   * drops it (forgetCutSummary): the worker's encodeFeed. Else it is dropped here.
   */
  keepCutSummaries?: boolean
}

/** What a fetched document holds that is not yet stored. */
export interface AnalysedFeed {
  /** New or changed entries as items: normalised, deduplicated in the source, tagged; no story yet. */
  items: Item[]
  /** Every entry of the document (key → identity), to remember once the poll is stored. */
  entries: Map<string, string>
  /** Entries left out because the last stored poll saw them byte for byte. */
  skipped: number
  /** RSS `<ttl>` in minutes. */
  ttlMinutes?: number
  /** Repairs the parser made and future dates clamped ("recovered from: …"). */
  recovered: string[]
  /** With `storyFeatures`: the story features of each item, in the order of `items`. */
  features?: StoryFeatures[]
  /** With `wordFilters`: the word filter (topics/word-filter.ts `wordsOf`) of each item, in the order of `items`. */
  words?: string[]
}

/**
 * Entries read from one document, in document order; the rest are left out and said so. Feeds list
 * tens, a few hundred at most; retention keeps 2,000 a source. Ten thousand entries cost the poll
 * hundreds of MB in the worker, in the copy to this thread and in the story index.
 */
export const MAX_ENTRIES = 1_000

/** The health note for a document listing more entries than MAX_ENTRIES. */
const entriesNote = (listed: number): string | undefined =>
  listed > MAX_ENTRIES
    ? `the document lists ${listed} entries: only the first ${MAX_ENTRIES} were read`
    : undefined

/**
 * Analyses one fetched document (pure: the same input gives the same output, so it runs alike in
 * the poll's thread and in a worker, see workers/pool.ts). Throws `ParseError` for a document that
 * is not a feed.
 *
 * Entries the source's last stored poll saw byte for byte are skipped: in an XML feed they are
 * found as raw text (parse/xml-split.ts) and never reach the parser (a new version of a feed usually
 * differs by a few entries, and parsing the other forty-odd dominated a poll); otherwise they are
 * compared after parsing (entry-memo.ts).
 * @example const { items } = await analyseFeed({ body, source, feedUrl, fetchedAt }, deps.tagger)
 */
export const analyseFeed = async (input: AnalyseInput, tagger: Tagger): Promise<AnalysedFeed> => {
  const { source, feedUrl, previous, codings } = input
  const bytes = codings?.length
    ? undoCodings(
        input.body,
        codings,
        input.maxBytes ?? Number.POSITIVE_INFINITY,
        displayUrl(feedUrl),
      )
    : input.body
  const { text, note: decodeNote } = decodeBody(bytes, input.contentType)
  const doc = readDocument(text)
  const read =
    (doc.kind === 'xml' ? await readRawEntries(doc, input) : undefined) ??
    (await readParsedEntries(doc, input))
  const fetchedAt = new Date(input.fetchedAt)
  let { feed, fresh } = read
  let normalized = normalizeFeed(feed, source, fetchedAt, feedUrl)
  const skippedKeys = read.keys.filter((_, i) => !fresh.has(i))
  if (
    clashesWithSkipped(
      normalized.items,
      skippedKeys.map((k) => previous?.get(k)),
    )
  ) {
    feed = await read.whole()
    fresh = new Set(read.keys.keys())
    normalized = normalizeFeed(feed, source, fetchedAt, feedUrl)
  }
  // Normalising maps entries to items one to one (dedupeWithinSource drops duplicates after).
  const entries = new Map<string, string>()
  let n = 0
  read.keys.forEach((key, i) => {
    const item = fresh.has(i) ? normalized.items[n++] : undefined
    const identity = item ? identityOf(item) : previous?.get(key)
    if (identity !== undefined) entries.set(key, identity)
  })
  // The items are this call's own (normalizeFeed made them): tagged in place, not copied once more.
  const items = dedupeWithinSource(normalized.items)
  // An item's word filter begun before its tagging, which adds the words of the ASCII text it
  // scans in the same walk (its content, mostly), and finished right after: both read its
  // content's text, made once (topics/text.ts contentText remembers the last).
  const words: string[] | undefined = input.wordFilters ? [] : undefined
  for (const item of items) {
    if (words === undefined) {
      item.topics = tagger(item, source)
      continue
    }
    const begun = beginItemWords()
    item.topics = tagger(item, source, undefined, begun)
    words.push(finishItemWords(item, begun))
  }
  const features = input.storyFeatures
    ? items.map((i) => storyFeatures(i.title, storySummary(i)))
    : undefined
  if (!input.keepCutSummaries) for (const item of normalized.items) forgetCutSummary(item)
  const notes = [
    decodeNote,
    entriesNote(read.listed),
    futureDatesNote(normalized.futureDates),
    cappedNote(normalized.capped),
  ].filter((n): n is string => n !== undefined)
  return {
    items,
    ...(features ? { features } : {}),
    ...(words ? { words } : {}),
    entries,
    skipped: read.keys.length - fresh.size,
    ...(feed.ttlMinutes === undefined ? {} : { ttlMinutes: feed.ttlMinutes }),
    recovered: notes.length ? [...feed.recovered, ...notes] : feed.recovered,
  }
}

/**
 * The summary storyFeatures reads of `item`: a summary cut to ASCII text and `…` as that text and
 * `...`, which is what reading the summary makes of it (topics/text.ts nfkc), in one byte a
 * character: the ellipsis makes the summary itself two, and every pass over it slower (story
 * features ~12% on the peers feeds). The same features (tests/ingest/analyse.test.ts).
 */
export const storySummary = (item: Item): string => {
  const head = cutSummaryOf(item)
  return head !== undefined && !hasNonAscii(head) ? `${head}...` : (item.summary ?? '')
}

/** A document's entries as keys, which of them to process, and a way to read them all. */
interface ReadEntries {
  /** The feed with only the entries to process, in document order, one per index of `fresh`. */
  feed: ParsedFeed
  /** A key per entry of the document, in order. */
  keys: string[]
  /** Indexes (into `keys`) of the entries to process. */
  fresh: Set<number>
  /** The feed with every entry (up to MAX_ENTRIES). */
  whole: () => Promise<ParsedFeed>
  /** How many entries the document lists (more than `keys` when past MAX_ENTRIES). */
  listed: number
}

const freshOf = (keys: readonly string[], previous: ReadonlyMap<string, string> | undefined) =>
  new Set([...keys.keys()].filter((i) => !previous?.has(keys[i] ?? '')))

const onlyEntries = (feed: ParsedFeed, fresh: ReadonlySet<number>): ParsedFeed =>
  fresh.size === feed.entries.length
    ? feed
    : { ...feed, entries: feed.entries.filter((_, i) => fresh.has(i)) }

/** Parses the whole document, then leaves out the entries the memo has seen. */
const readParsedEntries = async (doc: ReadDocument, input: AnalyseInput): Promise<ReadEntries> => {
  const { source, feedUrl } = input
  const all =
    doc.kind === 'json'
      ? parseJsonFeed(doc.value, feedUrl)
      : await parseXmlFeed(doc.xml, doc.format, feedUrl, doc.recovered)
  const listed = all.entries.length
  const feed = listed > MAX_ENTRIES ? { ...all, entries: all.entries.slice(0, MAX_ENTRIES) } : all
  const keys = parsedEntryKeys(feed, source, feedUrl)
  const fresh = freshOf(keys, input.previous)
  return { feed: onlyEntries(feed, fresh), keys, fresh, whole: async () => feed, listed }
}

/**
 * Keys the entries of an XML feed by their raw text and parses only those the memo has not seen,
 * put back into the feed's own frame. Undefined when the entries do not split cleanly or the
 * parser does not give one entry per element: the caller then parses the whole document.
 */
const readRawEntries = async (
  doc: Extract<ReadDocument, { kind: 'xml' }>,
  input: AnalyseInput,
): Promise<ReadEntries | undefined> => {
  const { source, feedUrl, previous } = input
  const split = splitEntries(doc.xml, doc.format)
  if (!split) return undefined
  const parse = (xml: string) => parseXmlFeed(xml, doc.format, feedUrl, doc.recovered)
  // Everything outside an entry's own text that its item depends on: the source's settings and
  // the feed's frame (its dates left out, so a new version alone does not change every key).
  const context = digest(
    'sha1',
    JSON.stringify([source.id, source.language, source.timezone, feedUrl, doc.format, split.frame]),
    'base64url',
  )
  const read = split.entries.slice(0, MAX_ENTRIES)
  // The entry's text hashed where it lies in the document (no copy joined to the context).
  const keys = read.map(
    (e) => `raw:${digestOfPieces('sha1', [context, doc.xml.slice(e.start, e.end)], 'base64url')}`,
  )
  const fresh = freshOf(keys, previous)
  const wanted = read.filter((_, i) => fresh.has(i))
  // With no entry to read, the skeleton still tells the feed's own facts (ttl, repairs).
  const feed = await parse(
    wanted.length === 0 ? split.skeleton : withEntries(doc.xml, split, wanted),
  )
  if (feed.entries.length !== wanted.length) return undefined
  let whole: Promise<ParsedFeed> | undefined
  return {
    feed,
    keys,
    fresh,
    whole: () => {
      whole ??=
        fresh.size === keys.length
          ? Promise.resolve(feed)
          : parse(read.length < split.entries.length ? withEntries(doc.xml, split, read) : doc.xml)
      return whole
    },
    listed: split.entries.length,
  }
}
