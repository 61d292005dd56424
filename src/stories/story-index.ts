/** StoryIndex: the in-memory window of recent items that assigns each new arrival its story (clusterId). */
import type { ClusterReason, Item } from '../model/types.js'
import { createInterner } from '../util/interner.js'
import { isoTime } from '../util/iso-time.js'
import { isPlainHttpUrl } from '../util/url.js'
import { isActorKey } from './actors.js'
import {
  createBandTable,
  dropFrom,
  dropOne,
  firstAt,
  listAt,
  type OneOrList,
  pushOne,
  pushTo,
} from './buckets.js'
import { isMatchKey, type StoryFacts } from './facts.js'
import { BACKGROUND_KEY, compactFeatures, type StoryFeatures, storyFeatures } from './features.js'
import { CASUALTY_KEY, storyConflict } from './guards.js'
import { createKeyArena } from './key-arena.js'
import { createKeyCounts } from './key-counts.js'
import { createBandKeys, DEFAULT_LSH, type LshShape } from './minhash.js'
import { createSketchBound } from './sketch-bound.js'
import {
  createSlotTable,
  ROW_EVENT,
  ROW_NORM,
  ROW_VISITED,
  ROW_WORDS,
  SLOT_ASIDE,
  SLOT_BACKGROUND,
  SLOT_DISASTER,
  SLOT_FOLDED,
} from './slots.js'
import { fnv1a, hasKey, normOf, weightedCosineIn } from './text.js'

/** Tuning of a {@link StoryIndex}; the defaults are what `npm run eval:stories` measures (tests/stories/evaluate.test.ts checks them). */
export interface StoryIndexOptions {
  /**
   * Candidates scored per arrival at most (default 256; the newest of each crowded bucket first).
   * `Infinity` scores every candidate, for measuring what the cap costs.
   */
  maxCandidates?: number
  /**
   * Only items fetched within this span of `now`, and published within it of each other, can share
   * a story. Default 72 h.
   */
  windowMs?: number
  /**
   * Similarity two reports of two outlets published together need: the cosine of their content
   * words and figures, each weighted by its IDF in the window (headline words twice). Default 0.24.
   */
  threshold?: number
  /** Added to the threshold per 24 h between the two reports (a later text is likelier a follow-up). Default 0.3. */
  thresholdPerDay?: number
  /**
   * Added to the threshold when the two reports were published on different UTC days: news-dev's
   * editor tells a story per day (96% of its same-story pairs share a UTC day; the next day's
   * reports of an earthquake are another story). Default {@link DEFAULT_CROSS_DAY}.
   */
  crossDay?: number
  /**
   * A story grows by corroboration too: a report joins it when at least two of its members each
   * reach this share of the bar (a paraphrase close to several reports of a story, though to
   * none closely). 1 turns it off. Default {@link DEFAULT_SUPPORT}.
   */
  support?: number
  /**
   * The bar is this share of itself for two reports published on one UTC day that name one event
   * kind at one place (features.ts `events`: "quake@morocco", "violence@peshawar"): outlets that
   * share few words still report the same major event. 1 turns it off. Default {@link DEFAULT_EVENT}.
   */
  event?: number
  /**
   * Reports of one event key on its day join whatever their sources and angles (an outlet's
   * clips, galleries and explainers of a disaster that day are its story): on the key alone while
   * the disaster is fresh (the window's first report of the key told of it happening, that day or
   * the day before), else two reports of it happening ("quake hits") on their day. Default true.
   */
  eventDay?: boolean
  /**
   * The bar is this share of itself for two reports published on one UTC day that name one match
   * (facts.ts match keys: two national sides and match words): a match day's live page, report
   * and clips share few words but the sides. 1 turns it off. Default {@link DEFAULT_MATCH}.
   */
  match?: number
  /**
   * The bar is this share of itself for two reports published on one UTC day whose headlines
   * report one development of one person (actors.ts: "Imran Khan granted bail", "ex-PM Khan
   * released on bail"): a saga's day holds one story per development. 1 turns it off. Default
   * {@link DEFAULT_ACTOR}.
   */
  actor?: number
  /**
   * A report published this long after midnight UTC may be a late copy of a report of the day
   * before: it is held to the same-day bar (with the time since midnight), unless it gives a
   * figure the other does not (a new toll is the new day's story). 0 turns it off. Default
   * {@link DEFAULT_LATE_MS}.
   */
  lateMs?: number
  /**
   * Added to the bar when either report is a folded text of another language (fold.ts): its few
   * keys make the cosine high on little evidence. Default {@link DEFAULT_FOLDED}.
   */
  folded?: number
  /** MinHash/LSH banding; see minhash.ts. */
  lsh?: LshShape
  /**
   * Words in more than this share of the indexed items (and in at least 50) are left out of the
   * LSH signature: they would put most items in one bucket. Similarity still counts them. Default 0.005.
   */
  commonShare?: number
  /**
   * Members of a story a newcomer's facts are checked against (guards.ts): the one it matched
   * and the newest others, this many in all. Default {@link MEMBERS_CHECKED}.
   */
  membersChecked?: number
  /**
   * Similarity a report needs to join a story of its own source (an outlet's follow-up or second
   * piece): stricter than {@link StoryIndexOptions.threshold}. Default {@link DEFAULT_SAME_SOURCE}.
   */
  sameSource?: number
}

/** Counters for benchmarks and logs. */
export interface StoryIndexStats {
  /** Items indexed now. */
  size: number
  /** Candidate pairs the LSH buckets proposed (and that were verified) since creation. */
  candidates: number
  /** Candidates whose similarity was computed (the rest were turned down on bounds or time). */
  scored: number
  /** Items assigned since creation. */
  assigned: number
}

/** The stories of recent items; see {@link createStoryIndex}. */
export interface StoryIndex {
  readonly windowMs: number
  readonly size: number
  has(id: string): boolean
  /** Indexes a stored item as it is (its clusterId is kept); replaces an entry with the same id. */
  add(item: Item): void
  remove(id: string): boolean
  /**
   * Gives each item its story, in order, and indexes it (later items of the batch can join it):
   * - an item already indexed, or that `known` returns (stored), keeps its clusterId and reason;
   * - the same canonical URL as an indexed item of another source joins that item's story
   *   (`via: 'url'`); of the same source, it IS that item (the store keeps the stored id);
   * - otherwise the most similar story whose members it does not contradict (guards.ts),
   *   has no item of the same source, and was published within the window (`via: 'similar'`);
   * - otherwise a new story: clusterId = the item's id, no clusterReason.
   * Items fetched before `now − windowMs` join nothing and are not indexed.
   */
  assign(
    items: readonly Item[],
    now: Date,
    known?: (id: string) => Item | undefined,
    /** Each item's story features when already computed (storyFeatures of its title and summary). */
    features?: readonly StoryFeatures[],
  ): Item[]
  /** Drops items fetched before `now − windowMs`; returns how many. */
  evict(now: Date): number
  stats(): StoryIndexStats
}

/**
 * What the index keeps per item. Every doc is made by {@link newDoc} with all its fields in one
 * order: V8 then gives them all one hidden class (docs built by spreads and late additions each
 * had their own, a few hundred bytes per item). Once it is indexed, its keys and counted keys
 * live in the index's arenas, its band keys in the band table and its times and norm in the slot
 * columns, by slot: a doc keeps no number that V8 would box (an epoch time, a norm), and no field
 * that only an arrival needs.
 */
interface Doc {
  id: string
  sourceId: string
  clusterId: string
  reason: ClusterReason | undefined
  url: string | undefined
  /** Hash of the title + summary it was computed from, as an int32 (an update recomputes). */
  text: number
  /** Its story facts (all docs without any share one object). */
  facts: StoryFacts
  /** Its event keys (features.ts). */
  events: Uint32Array
  /** Its slot in the slot table while indexed (the band buckets and the arenas hold slots). */
  slot: number | undefined
  /** What it carries until it is indexed (undefined while indexed). */
  own: Unindexed | undefined
}

/** What a doc that is not indexed (an arrival, or one evicted) holds itself. */
interface Unindexed {
  /** publishedAt in epoch ms: two reports of a story are at most the window apart. */
  time: number
  /** fetchedAt in epoch ms: what the window keeps (an old article fetched today still joins). */
  seen: number
  /** Its keys (StoryFeatures `keys`); undefined once it left the index. */
  keys: Uint32Array | undefined
  /** Length of its keys' IDF weight vector, with the document frequencies of when it was indexed. */
  norm: number | undefined
  /**
   * The indexed report of its story it matched: it adds to the document frequencies only the keys
   * that report does not have (a story's own words would otherwise grow common, and weigh less, as
   * it grows). Absent: all its keys.
   */
  matched: Doc | undefined
  /** LSH band keys, once computed (the index's buffer: read before the next doc's are made). */
  bands: Uint32Array | undefined
}

/**
 * The facts of a text that has none (no figure, place, date, direction or flag): about half the
 * items of a first import. Facts are only read, so every doc without any shares the first such
 * object the index saw.
 */
let noFacts: StoryFacts | undefined
const shared = (f: StoryFacts): StoryFacts => {
  if (noFacts === f) return f
  const none =
    f.numbers.length === 0 &&
    f.quantities.length === 0 &&
    f.months === 0 &&
    f.weekdays === 0 &&
    f.places.length === 0 &&
    f.otherPlaces.length === 0 &&
    f.countries.length === 0 &&
    isEmpty(f.direction) &&
    f.several === undefined &&
    f.folded === undefined &&
    f.onset === undefined &&
    f.again === undefined &&
    f.magnitude === undefined &&
    f.develops === undefined &&
    f.past === undefined &&
    f.aside === undefined
  if (!none) return f
  noFacts ??= f
  return noFacts
}

const isEmpty = (o: object): boolean => {
  for (const _ in o) return false
  return true
}

/** A doc with every field in {@link Doc}'s order (one hidden class for all). */
const newDoc = (
  d: Pick<Doc, 'id' | 'sourceId' | 'clusterId' | 'reason' | 'url' | 'text'>,
  time: number,
  seen: number,
  features: StoryFeatures,
): Doc => ({
  id: d.id,
  sourceId: d.sourceId,
  clusterId: d.clusterId,
  reason: d.reason,
  url: d.url,
  text: d.text,
  facts: shared(features.facts),
  events: features.events,
  slot: undefined,
  own: { time, seen, keys: features.keys, norm: undefined, matched: undefined, bands: undefined },
})

const DAY_MS = 86_400_000
export const DEFAULT_WINDOW_MS = 3 * DAY_MS
export const DEFAULT_THRESHOLD = 0.24
/** Candidates scored per arrival at most (the newest of each band bucket come first). */
export const MAX_CANDIDATES = 256
/** The best-scoring stories a newcomer may join are tried in order, at most this many. */
const MAX_STORIES_TRIED = 8
/** Members of a story a newcomer is checked against (the one it matched, then the newest). */
export const MEMBERS_CHECKED = 1
export const DEFAULT_THRESHOLD_PER_DAY = 0.3
export const DEFAULT_SAME_SOURCE = 0.6
export const DEFAULT_CROSS_DAY = 0.15
/** See {@link StoryIndexOptions.event}. */
export const DEFAULT_EVENT = 0.8
/** See {@link StoryIndexOptions.match}. */
export const DEFAULT_MATCH = 0.6
/** See {@link StoryIndexOptions.actor}. */
export const DEFAULT_ACTOR = 0.6
/** See {@link StoryIndexOptions.lateMs}. */
export const DEFAULT_LATE_MS = 12 * 3_600_000
/** See {@link StoryIndexOptions.folded}. */
export const DEFAULT_FOLDED = 0.1
/** Reports of one event key an arrival looks at: the newest this many indexed. */
const EVENT_SCAN = 64
/** See {@link StoryIndexOptions.support}. */
export const DEFAULT_SUPPORT = 0.9
/** Members of one story that must reach the weak bar together. */
const SUPPORT_MEMBERS = 2
/** Keys two reports must share at least to be scored (one shared word is chance). */
const MIN_SHARED = 2
/** Documents the IDF weights assume besides the window: a small window weighs words evenly. */
const IDF_PRIOR = 20
/**
 * The sketch bound turns a candidate down only when it is under the bar by more than this share:
 * it is summed in another order than the dot product it bounds, so a pair exactly at the bar
 * (bound = dot product) must not be lost to rounding.
 */
const BOUND_SLACK = 1 + 1e-9

/**
 * A canonical URL that names a site rather than an article (a feed's fallback link) never merges:
 * one whose parsed path is "/" and whose query is empty. A URL the parser would write as it is
 * (most: {@link isPlainHttpUrl}) is read as a string; the parser takes the others (it costs
 * microseconds per item).
 */
export const isArticleUrl = (url: string): boolean => {
  if (!isPlainHttpUrl(url)) return parsedIsArticle(url)
  // Its host holds no "/", its path no "?" or "#": the path runs from the first "/" after the
  // scheme to the query or the fragment, the query from "?" to the fragment.
  const path = url.indexOf('/', url.indexOf('://') + 3)
  const hash = url.indexOf('#')
  const stop = hash === -1 ? url.length : hash
  const question = url.indexOf('?')
  const query = question !== -1 && question < stop ? question : stop
  return query - path > 1 || stop - query > 1
}

const parsedIsArticle = (url: string): boolean => {
  try {
    const u = new URL(url)
    return u.pathname.length > 1 || u.search.length > 1
  } catch {
    return false
  }
}

/** `{ ...item, clusterId, clusterReason }`, without a clusterReason key when there is none. */
const withStory = (item: Item, clusterId: string, reason: ClusterReason | undefined): Item => {
  if (item.clusterId === clusterId && item.clusterReason === reason) return item
  // An arrival has no clusterReason key (most items here): one copy, in the same key order.
  if (!Object.hasOwn(item, 'clusterReason')) {
    if (!reason) return { ...item, clusterId }
    // Not `{ ...item, clusterId, clusterReason }`: V8 gives each such copy a hidden class of its
    // own (a spread's copy has no transition to share for the key it adds). 42% of a first
    // import's items are such copies, and what reads them after (the store's lean copy, the
    // journal's JSON, which built an enum cache per item) ran megamorphic. Copied into an empty
    // object and then given the key, the copies share one hidden class.
    const copy = Object.assign({}, item)
    copy.clusterId = clusterId
    copy.clusterReason = reason
    return copy
  }
  const { clusterReason: _old, ...rest } = item
  return reason ? { ...rest, clusterId, clusterReason: reason } : { ...rest, clusterId }
}

/**
 * Creates an empty story index. Seed it once with the stored items of the window
 * (`store.recentItems(now − windowMs)`), then call `assign` for each polled batch: candidates come
 * from MinHash/LSH buckets, so the cost of an arrival depends on its near neighbours, not on how
 * many items the window holds.
 * @example
 * const stories = createStoryIndex()
 * for (const item of await store.recentItems(since)) stories.add(item)
 * const items = stories.assign(tagged, now)
 */
export const createStoryIndex = (opts: StoryIndexOptions = {}): StoryIndex => {
  const windowMs = opts.windowMs ?? DEFAULT_WINDOW_MS
  const threshold = opts.threshold ?? DEFAULT_THRESHOLD
  const perDay = opts.thresholdPerDay ?? DEFAULT_THRESHOLD_PER_DAY
  const crossDay = opts.crossDay ?? DEFAULT_CROSS_DAY
  const support = opts.support ?? DEFAULT_SUPPORT
  const shape = opts.lsh ?? DEFAULT_LSH
  const bandKeys = createBandKeys(shape)
  const byId = new Map<string, Doc>()
  const byUrl: OneOrList<string, Doc> = new Map()
  const byCluster: OneOrList<string, Doc> = new Map()
  /** The indexed docs of each event key (features.ts), in the order they were indexed. */
  const byEvent = new Map<number, Doc[]>()
  const eventShare = opts.event ?? DEFAULT_EVENT
  const eventDay = opts.eventDay ?? true
  const matchShare = opts.match ?? DEFAULT_MATCH
  const actorShare = opts.actor ?? DEFAULT_ACTOR
  const lateMs = opts.lateMs ?? DEFAULT_LATE_MS
  const foldedExtra = opts.folded ?? DEFAULT_FOLDED
  const commonShare = opts.commonShare ?? 0.005
  const maxCandidates = opts.maxCandidates ?? MAX_CANDIDATES
  const membersChecked = opts.membersChecked ?? MEMBERS_CHECKED
  const sameSource = opts.sameSource ?? DEFAULT_SAME_SOURCE
  const buckets = createBandTable(
    shape.bands,
    Number.isFinite(maxCandidates) ? undefined : Number.POSITIVE_INFINITY,
  )
  /** What scoring reads of each indexed doc, by slot; `docs` has the doc of each slot. */
  const slots = createSlotTable()
  const docs: (Doc | undefined)[] = []
  /**
   * Keys of the indexed docs, and which of them a doc counted (when not all: see `matched`, as a
   * mask over its keys, a bit each, where the keys themselves were 4 bytes each: ~2 MB at 50,000
   * items), by slot (the band table keeps their LSH band keys).
   */
  const keyArena = createKeyArena()
  const countedArena = createKeyArena()
  /**
   * Each indexed doc's story as a small number, by slot: its members share it while one is indexed
   * (similarStory tells stories apart by it without reading a doc). Numbers of stories that left
   * the index are given again.
   */
  let storyOf = new Int32Array(1024)
  /** Where similarStory's entry of a story is, by story number (see `eStory`). */
  let bestAt = new Int32Array(1024)
  let stories = 0
  const freeStories: number[] = []
  /** A story number no indexed doc has. */
  const newStory = (): number => {
    const free = freeStories.pop()
    if (free !== undefined) return free
    if (stories === bestAt.length) {
      const b = new Int32Array(stories * 2)
      b.set(bestAt)
      bestAt = b
    }
    return stories++
  }
  /** How many indexed docs have each key: what makes a word too common to sign with. */
  const df = createKeyCounts()
  const counters = { candidates: 0, scored: 0, assigned: 0 }
  /** Counts calls of similarStory: each marks the docs it scored with its number. */
  let arrivals = 0
  let lastSweep = Number.NEGATIVE_INFINITY
  /** The sketch bound of the arrival being placed (its tables reused by every arrival). */
  const sketchBound = createSketchBound()
  /**
   * The lowest weak bar (`weakMin` in similarStory) of a candidate that no event, match or
   * development of the arrival marks: a time, day, own-source or folded term only raises the
   * threshold, or the same-source bar when that is lower, unless an option makes it negative.
   * −∞ when options can make it 0 or less (nothing is turned down early then).
   */
  const lowestMin = Math.min(threshold, sameSource) + Math.min(0, foldedExtra)
  const lowestBar =
    perDay >= 0 && crossDay >= 0 && support >= 0 && lowestMin > 0
      ? lowestMin * support
      : Number.NEGATIVE_INFINITY

  // Hashed in parts: a concatenation would be built (and flattened) per arrival just to hash it.
  // An int32, which V8 keeps unboxed in a doc (a uint32 above 2^31 would be a heap number).
  const textOf = (item: Item): number =>
    fnv1a(item.summary ?? '', fnv1a('\n', fnv1a(item.title))) | 0

  /**
   * One string per source id for the docs: items that crossed from a worker thread each bring
   * their own copy (tens of thousands of copies of a thousand ids in a first import).
   */
  const sourceNames = createInterner()

  const makeDoc = (
    item: Item,
    clusterId: string,
    reason?: ClusterReason,
    given?: StoryFeatures,
  ): Doc => {
    const features = given ? compactFeatures(given) : storyFeatures(item.title, item.summary ?? '')
    const t = isoTime(item.publishedAt)
    const fetched = isoTime(item.fetchedAt)
    const seen = Number.isNaN(fetched) ? t : fetched
    return newDoc(
      {
        id: item.id,
        sourceId: sourceNames.of(item.sourceId),
        clusterId,
        reason,
        url: item.canonicalUrl && isArticleUrl(item.canonicalUrl) ? item.canonicalUrl : undefined,
        text: textOf(item),
      },
      Number.isNaN(t) ? seen : t,
      seen,
      features,
    )
  }

  /** A doc's keys: its own until indexed, then a view of the key arena (read it before the next insert). */
  const keysOf = (doc: Doc): Uint32Array => {
    if (doc.slot !== undefined) return keyArena.get(doc.slot)
    const keys = doc.own?.keys
    if (keys === undefined) throw new Error(`story index: doc ${doc.id} has no keys`)
    return keys
  }
  /** What a doc that is not indexed holds itself (an indexed one has none). */
  const ownOf = (doc: Doc): Unindexed => {
    if (doc.own === undefined) throw new Error(`story index: doc ${doc.id} is indexed`)
    return doc.own
  }
  /** A doc's publishedAt in epoch ms: the slot column's while it is indexed. */
  const timeOf = (doc: Doc): number =>
    doc.slot !== undefined ? slots.columns.time[doc.slot]! : ownOf(doc).time
  /** A doc's fetchedAt in epoch ms: the slot column's while it is indexed. */
  const seenOf = (doc: Doc): number =>
    doc.slot !== undefined ? slots.columns.seen[doc.slot]! : ownOf(doc).seen

  /**
   * The band keys bandsOf gives (reused by every doc: valid until the next bandsOf, which is
   * enough, as a doc's bands are made when it arrives or is inserted and read by the table then).
   */
  const bandsBuffer = new Uint32Array(shape.bands)
  /** The keys bandsOf keeps of a doc (reused by every doc: bandKeys reads them, keeps none). */
  let kept = new Uint32Array(256)
  /** The document frequency of each key of an arrival, aligned with its keys (reused by every arrival). */
  let counts = new Int32Array(256)
  /** The document frequencies of `keys` now, in {@link counts} (valid until the next call or insert). */
  const countsOf = (keys: Uint32Array): Int32Array => {
    if (counts.length < keys.length) counts = new Int32Array(keys.length * 2)
    df.countsOf(keys, counts)
    return counts
  }
  /** Bit i set: key i of a doc is one it counts (see `matched`; reused by every insert). */
  let mask = new Uint32Array(8)
  /**
   * Into {@link mask}: which keys of sorted `keys` the keys of indexed `slot` lack, a bit each;
   * returns the words of the mask that hold them.
   */
  const notInMask = (keys: Uint32Array, slot: number): number => {
    const words = (keys.length + 31) >>> 5
    if (mask.length < words) mask = new Uint32Array(words * 2)
    mask.fill(0, 0, words)
    // The other's keys read from the arena in place (no view made).
    const other = keyArena.chunkOf(slot)
    const end = keyArena.startOf(slot) + keyArena.lengthOf(slot)
    let j = keyArena.startOf(slot)
    for (let i = 0; i < keys.length; i++) {
      const x = keys[i]!
      while (j < end && other[j]! < x) j++
      if (j >= end || other[j] !== x) mask[i >>> 5]! |= 1 << (i & 31)
    }
    return words
  }
  /**
   * Band keys of a doc's words, leaving out the words too common to tell stories apart; `dfs`:
   * the document frequencies of its keys when the caller has read them already.
   */
  const bandsOf = (doc: Doc, dfs?: Int32Array): Uint32Array => {
    const limit = Math.max(50, commonShare * byId.size)
    const all = keysOf(doc)
    const freq = dfs ?? countsOf(all)
    if (kept.length < all.length) kept = new Uint32Array(all.length * 2)
    let n = 0
    for (let i = 0; i < all.length; i++) {
      if (freq[i]! <= limit) kept[n++] = all[i]!
    }
    return n === 0 ? bandKeys(all, all.length, bandsBuffer) : bandKeys(kept, n, bandsBuffer)
  }

  /**
   * IDF weight of each key of a sorted key array, from the window's document frequencies: a word
   * few indexed items have (a place, a name, a figure) counts more than one most have ("says").
   */
  const weightsOf = (keys: Uint32Array): Float64Array => {
    const n = byId.size + 1
    const w = new Float64Array(keys.length)
    for (let i = 0; i < keys.length; i++) w[i] = idfOf(keys[i]!, n)
    return w
  }
  /** The IDF weight of `key` among `n` documents (the window and the arrival). */
  const idfOf = (key: number, n: number): number => Math.log((n + IDF_PRIOR) / (df.get(key) + 1))

  /**
   * Indexes `doc`. `absent`: its id is not indexed (the caller just looked); `urlAbsent`: nor is
   * its URL (each saves a Map lookup of a string a worker sent, which hashes it and misses the cache).
   */
  const insert = (doc: Doc, absent = false, urlAbsent = false): void => {
    const old = absent ? undefined : byId.get(doc.id)
    if (old) unlink(old)
    const own = ownOf(doc)
    const keys = keysOf(doc)
    const bands = own.bands ?? bandsOf(doc)
    own.norm ??= normOf(weightsOf(keys))
    const slot = slots.take({
      source: slots.sourceNumber(doc.sourceId),
      seen: own.seen,
      time: own.time,
      keys,
      norm: own.norm,
      background: hasKey(keys, BACKGROUND_KEY),
      folded: doc.facts.folded === true,
      disaster: isDisaster(doc),
      aside: doc.facts.aside === true,
    })
    // Into the arenas and the slot columns: what the doc held itself (and its buffers) is dropped.
    if (own.matched?.slot !== undefined) {
      // The mask is made in a buffer the arena copies: no array per doc (but the arena's copy).
      const words = notInMask(keys, own.matched.slot)
      df.add(keys, 1, mask)
      countedArena.set(slot, mask, words)
    } else {
      df.add(keys, 1)
      countedArena.clear(slot)
    }
    keyArena.set(slot, keys)
    doc.own = undefined
    doc.slot = slot
    docs[slot] = doc
    byId.set(doc.id, doc)
    if (doc.url) {
      if (urlAbsent) byUrl.set(doc.url, doc)
      else pushOne(byUrl, doc.url, doc)
    }
    if (slot >= storyOf.length) {
      const s = new Int32Array(Math.max(slot + 1, storyOf.length * 2))
      s.set(storyOf)
      storyOf = s
    }
    // Every doc of byCluster is indexed. One read of the story's members for its number and the
    // push (pushOne's, inlined).
    const members = byCluster.get(doc.clusterId)
    const mate = Array.isArray(members) ? members[0] : members
    storyOf[slot] = mate?.slot !== undefined ? storyOf[mate.slot]! : newStory()
    if (members === undefined) byCluster.set(doc.clusterId, doc)
    else if (Array.isArray(members)) members.push(doc)
    else byCluster.set(doc.clusterId, [members, doc])
    for (const key of doc.events) pushTo(byEvent, key, doc)
    buckets.add(bands, slot)
  }

  function unlink(doc: Doc): void {
    byId.delete(doc.id)
    if (doc.url) dropOne(byUrl, doc.url, doc)
    dropOne(byCluster, doc.clusterId, doc)
    for (const key of doc.events) dropFrom(byEvent, key, doc)
    const slot = doc.slot
    if (slot === undefined) return
    // The story's last indexed doc gives its number back.
    if (firstAt(byCluster, doc.clusterId) === undefined) freeStories.push(storyOf[slot]!)
    const keys = keyArena.get(slot)
    df.add(keys, -1, countedArena.has(slot) ? countedArena.get(slot) : undefined)
    buckets.remove(slot)
    keyArena.clear(slot)
    countedArena.clear(slot)
    // Its times stay readable, as they were when the doc held them.
    const { time, seen } = slots.columns
    doc.own = {
      time: time[slot]!,
      seen: seen[slot]!,
      keys: undefined,
      norm: undefined,
      matched: undefined,
      bands: undefined,
    }
    docs[slot] = undefined
    slots.release(slot)
    doc.slot = undefined
  }

  const evict = (now: Date): number => {
    const cutoff = now.getTime() - windowMs
    let n = 0
    for (const doc of [...byId.values()]) {
      if (seenOf(doc) < cutoff) {
        unlink(doc)
        n++
      }
    }
    lastSweep = now.getTime()
    return n
  }

  /**
   * The arrival similarStory is placing, as {@link visit} reads it: set once per arrival in the
   * index's own variables, so that no closure (and no context of a few hundred bytes) is made per
   * arrival.
   */
  let stamp = 0
  let scored = 0
  let aKeys: Uint32Array = new Uint32Array(0)
  let aNorm = 0
  let aOwn = 0
  let aBackground = false
  let aAside = false
  let aDisaster = false
  let aFolded = false
  let aCasualties = false
  let aTime = 0
  let aDay = 0
  let aSinceMidnight = 0
  let aCutoff = 0
  let { rows, norms, source, seen, time, size, flags } = slots.columns
  /** What the reads that bring an arrival's candidates' rows into the cache read (kept, so that they are made). */
  let _touched = 0
  /** What the reads of the columns and keys of the candidates the bound let through read (kept). */
  let _reached = 0
  /** The candidates of an arrival the bound let through, and their bounds (reused by every arrival). */
  let passed = new Int32Array(256)
  let bounds = new Float64Array(256)

  /**
   * Per story of the stories an arrival reached (an entry each, by story number: no Map, no object
   * per story and arrival): its best member above the bar (margin > -∞, its slot in `eMatch`), how
   * many reached the weak bar, and whether its match is a report of the day before that the arrival
   * may be a late copy of. `bestAt[story]` is its entry while `eStory` there says so (a sparse set:
   * nothing to clear between arrivals).
   */
  let entries = 0
  let eStory = new Int32Array(64)
  let eMatch = new Int32Array(64)
  let eWeak = new Int32Array(64)
  let eLate = new Uint8Array(64)
  let eScore = new Float64Array(64)
  let eMargin = new Float64Array(64)
  let eWeakScore = new Float64Array(64)
  const growEntries = (): void => {
    const n = eStory.length * 2
    const grow = <T extends Int32Array | Uint8Array | Float64Array>(
      a: T,
      make: new (n: number) => T,
    ): T => {
      const b = new make(n)
      b.set(a)
      return b
    }
    eStory = grow(eStory, Int32Array)
    eMatch = grow(eMatch, Int32Array)
    eWeak = grow(eWeak, Int32Array)
    eLate = grow(eLate, Uint8Array)
    eScore = grow(eScore, Float64Array)
    eMargin = grow(eMargin, Float64Array)
    eWeakScore = grow(eWeakScore, Float64Array)
  }
  /** The entries an arrival ranks (reused by every arrival). */
  const ranked: number[] = []
  /** Ranks entries: see similarStory. */
  const byRank = (x: number, y: number): number => {
    const cx = docs[eMatch[x]!]!.clusterId
    const cy = docs[eMatch[y]!]!.clusterId
    return (
      // A late copy stays with the day before's story (news-dev's rule) rather than starting
      // the new day's: a new figure turns it away (see `fits`) to the next story.
      eLate[y]! - eLate[x]! ||
      eMargin[y]! - eMargin[x]! ||
      eWeak[y]! - eWeak[x]! ||
      eScore[y]! - eScore[x]! ||
      (cx < cy ? -1 : cx > cy ? 1 : 0)
    )
  }
  /** The arrival's IDF weights and their squares, aligned with its keys (reused by every arrival). */
  let weights = new Float64Array(256)
  let squares = new Float64Array(256)
  /** Slots an arrival may join on its event key alone (reused by every arrival). */
  const alone = new Set<number>()
  /** Slots of reports of one of the arrival's actor developments that day (reused by every arrival). */
  const acting = new Set<number>()
  /** The slots of the reports of the arrival's events that day (reused by every arrival). */
  const reports: number[] = []

  /** The earliest of the first reports indexed of an event key: where its coverage in the window began. */
  const onsetOf = (list: readonly Doc[]): Doc | undefined => {
    let first: Doc | undefined
    for (let i = 0; i < Math.min(list.length, EVENT_SCAN); i++) {
      const m = list[i]!
      if (!first || timeOf(m) < timeOf(first)) first = m
    }
    return first
  }

  /** Whether the arrival may be a late copy of `m`, a report of deaths of the day before. */
  const lateOf = (m: Doc): boolean =>
    aCasualties &&
    aSinceMidnight < lateMs &&
    Math.floor(timeOf(m) / DAY_MS) === aDay - 1 &&
    hasKey(keysOf(m), CASUALTY_KEY)

  /** Looks at the indexed doc of `slot` as a candidate of the arrival; true: enough were looked at. */
  const visit = (slot: number): boolean => {
    // Each arrival scores a bounded number of candidates, whatever the window holds.
    if (scored >= maxCandidates) return true
    const row = slot * ROW_WORDS
    if (rows[row + ROW_VISITED] === stamp) return false
    rows[row + ROW_VISITED] = stamp
    scored++
    const bound = sketchBound.of(rows, row, MIN_SHARED)
    if (!mayReach(slot, bound)) return false
    judge(slot, bound)
    return false
  }

  /**
   * Whether the indexed doc of `slot`, whose sketch bound with the arrival is `bound`, may reach
   * a bar. Most candidates share a word or two only: the sketch bounds the dot product by the
   * squared weights of the keys that hit, from the slot's row alone (no object read). One that
   * none of the arrival's events or developments marks is held to the lowest bar it can face
   * before its other columns are read: most candidates are turned down here.
   */
  const mayReach = (slot: number, bound: number): boolean => {
    const row = slot * ROW_WORDS
    const mark = rows[row + ROW_EVENT]!
    return (
      mark === stamp ||
      mark === -stamp ||
      (acting.size !== 0 && acting.has(slot)) ||
      !(bound * BOUND_SLACK < lowestBar * aNorm * norms[row / 2 + ROW_NORM]!)
    )
  }

  /** Scores the indexed doc of `slot`, which {@link mayReach} let through, against the arrival. */
  const judge = (slot: number, bound: number): void => {
    const row = slot * ROW_WORDS
    const cNorm = norms[row / 2 + ROW_NORM]!
    const mark = rows[row + ROW_EVENT]!
    const marked = mark === stamp || mark === -stamp
    if (seen[slot]! < aCutoff) return
    const gap = Math.abs(aTime - time[slot]!)
    if (gap > windowMs) return
    const slotDay = Math.floor(time[slot]! / DAY_MS)
    // A late copy: a report of the small hours after midnight UTC against one of the day before
    // is held to the same-day bar with the time since midnight only (a slower outlet's copy of
    // yesterday's report); a new figure keeps it apart (see `fits` in similarStory).
    const late = aCasualties && slotDay === aDay - 1 && lateOf(docs[slot]!)
    const floor = late
      ? threshold + (perDay * aSinceMidnight) / DAY_MS
      : threshold + (perDay * gap) / DAY_MS + (slotDay === aDay ? 0 : crossDay)
    if (floor >= 1 || size[slot] === 0) return
    // A source's own second report of a story, and an explainer, must be much closer than
    // another outlet's report.
    // A disaster's day is one story whatever the angle: an outlet's several clips, galleries and
    // explainers of it that day join it on its event key like another outlet's reports.
    const ofEvent = marked || acting.has(slot)
    // A reaction to a disaster ("World reacts…") or a look back at past ones is another story
    // than the disaster's reports, however many of their words it repeats.
    const flag = flags[slot]!
    const strict =
      (source[slot] === aOwn && !(ofEvent && eventDay)) ||
      aBackground ||
      (flag & SLOT_BACKGROUND) !== 0 ||
      (aAside && (flag & (SLOT_DISASTER | SLOT_ASIDE)) === SLOT_DISASTER) ||
      (aDisaster && (flag & SLOT_ASIDE) !== 0 && !aAside)
    const base = strict
      ? floor - threshold + sameSource
      : ofEvent
        ? floor * (mark === stamp ? eventShare : marked ? matchShare : actorShare)
        : floor
    // A folded text keeps few keys (its words that have an English fold): a few common ones
    // ("taliban", "afghanistan") must not make it close to every report that has them.
    // A report of a fresh disaster's day joins it on the event key alone (see `alone`).
    const min =
      alone.size !== 0 && alone.has(slot)
        ? 0
        : aFolded || (flag & SLOT_FOLDED) !== 0
          ? base + foldedExtra
          : base
    const weakMin = min * support
    if (bound * BOUND_SLACK < weakMin * aNorm * cNorm) return
    counters.scored++
    const score = weightedCosineIn(
      aKeys,
      weights,
      aNorm,
      keyArena.chunkOf(slot),
      keyArena.startOf(slot),
      keyArena.lengthOf(slot),
      cNorm,
    )
    if (score < weakMin) return
    // Its story's entry, by the story number of the slot (no doc read).
    const story = storyOf[slot]!
    let e = bestAt[story]!
    if (e >= entries || eStory[e] !== story) {
      if (entries === eStory.length) growEntries()
      e = entries++
      bestAt[story] = e
      eStory[e] = story
      eScore[e] = score
      eMargin[e] = Number.NEGATIVE_INFINITY
      eMatch[e] = slot
      eWeak[e] = 0
      eWeakScore[e] = score
      eLate[e] = 0
    }
    eWeak[e]!++
    // Ranked by the margin over the time-raised threshold: a closer report of as much overlap wins.
    const margin = score - min
    if (score >= min && margin > eMargin[e]!) {
      eScore[e] = score
      eMargin[e] = margin
      eMatch[e] = slot
      eLate[e] = late ? 1 : 0
    } else if (eMargin[e] === Number.NEGATIVE_INFINITY && score > eWeakScore[e]!) {
      eScore[e] = score
      eWeakScore[e] = score
      eMatch[e] = slot
    }
  }

  /**
   * Whether indexed `m`, a member of the story whose report `match` the arrival `doc` matched,
   * agrees with it (guards.ts), and tells the story from another source (or is the match).
   */
  const fitsMember = (doc: Doc, m: Doc, match: Doc): boolean => {
    const sameDay = Math.floor(timeOf(m) / DAY_MS) === aDay
    return (
      (m.sourceId !== doc.sourceId || m === match) &&
      !(lateOf(m) && newFigure(doc.facts, m.facts)) &&
      storyConflict(
        doc.facts,
        m.facts,
        aKeys,
        keysOf(m),
        sameDay,
        sameDay && sharesEvent(doc.events, m.events),
      ) === undefined
    )
  }

  /** The indexed report the story similarStory last gave was matched by. */
  let matched: Doc | undefined
  /** The best story for a new doc by similarity (its matched report in {@link matched}), or undefined. */
  const similarStory = (
    doc: Doc,
    cutoff: number,
  ): { clusterId: string; reason: ClusterReason } | undefined => {
    stamp = ++arrivals
    scored = 0
    entries = 0
    const arrival = ownOf(doc)
    const keys = keysOf(doc)
    // One read of each key's document frequency, for its bands and its weight.
    const dfs = countsOf(keys)
    arrival.bands ??= bandsOf(doc, dfs)
    ;({ rows, norms, source, seen, time, size, flags } = slots.columns)
    aKeys = keys
    aOwn = slots.sourceNumber(doc.sourceId)
    aBackground = hasKey(keys, BACKGROUND_KEY)
    aAside = doc.facts.aside === true
    aDisaster = isDisaster(doc)
    aFolded = doc.facts.folded === true
    aTime = arrival.time
    const day = Math.floor(aTime / DAY_MS)
    aDay = day
    aSinceMidnight = aTime - day * DAY_MS
    aCutoff = cutoff
    /** A report of deaths: only a disaster's reports have late copies (news-dev's story rule). */
    aCasualties = hasKey(keys, CASUALTY_KEY)
    if (weights.length < keys.length) {
      weights = new Float64Array(keys.length * 2)
      squares = new Float64Array(keys.length * 2)
    }
    // Into the index's buffers (their first keys.length values): no arrays made per arrival.
    let sum = 0
    const n = byId.size + 1
    for (let i = 0; i < keys.length; i++) {
      const w = Math.log((n + IDF_PRIOR) / (dfs[i]! + 1))
      weights[i] = w
      squares[i] = w * w
      sum += w * w
    }
    const norm = Math.sqrt(sum)
    arrival.norm = norm
    aNorm = norm
    sketchBound.load(keys, squares)
    // The reports of the arrival's events that day first: they are the likeliest of its story.
    reports.length = 0
    // Cleared only when used (clearing a Set makes it a new table).
    if (alone.size !== 0) alone.clear()
    if (acting.size !== 0) acting.clear()
    const facts = doc.facts
    for (const key of doc.events) {
      const list = byEvent.get(key)
      if (!list) continue
      if (isActorKey(key)) {
        // One person's development on one UTC day: its reports, newest first, face a lower bar.
        for (let i = list.length - 1; i >= Math.max(0, list.length - EVENT_SCAN); i--) {
          const m = list[i]!
          if (m.slot === undefined || Math.floor(time[m.slot]! / DAY_MS) !== day) continue
          const first = firstAt(byCluster, m.clusterId)
          if (first && Math.floor(timeOf(first) / DAY_MS) !== day) continue
          acting.add(m.slot)
          reports.push(m.slot)
        }
        continue
      }
      const match = isMatchKey(key)
      // A disaster's day joins on its key alone, whatever the angle (news-dev's editor: galleries,
      // "what we know", tourists, toll updates of one quake's day are one story) when the event
      // is fresh: the window's first report of the key told of it happening, that day or the
      // day before (the next day's coverage is its own story, joined the same way). Earlier
      // coverage of the key (an old quake's aftermath), a recurrence ("another quake") or a new
      // magnitude on a later day is not that event: only reports of a quake happening join
      // each other on their day then.
      const onset = match || !eventDay ? undefined : onsetOf(list)
      const onsetDay = onset ? Math.floor(timeOf(onset) / DAY_MS) : Number.NaN
      const recurrence =
        onsetDay < day &&
        (facts.again === true ||
          (facts.magnitude !== undefined &&
            onset?.facts.magnitude !== undefined &&
            facts.magnitude !== onset.facts.magnitude))
      const fresh =
        onset?.facts.onset === true &&
        onset.facts.again !== true &&
        (onsetDay === day || onsetDay === day - 1) &&
        !recurrence
      // The newest few only, whatever their day: an arrival's work stays bounded however many
      // reports of a key the window holds.
      for (let i = list.length - 1; i >= Math.max(0, list.length - EVENT_SCAN); i--) {
        const m = list[i]!
        if (m.slot === undefined || Math.floor(time[m.slot]! / DAY_MS) !== day) continue
        // A disaster's day is its story: a report of that day does not join, by its event, a
        // story that began on an earlier day (the day before's toll, joined by a late copy).
        const first = firstAt(byCluster, m.clusterId)
        if (first && Math.floor(timeOf(first) / DAY_MS) !== day) continue
        // A match's reports are marked apart: they get the match's bar (a slot marked by both
        // keys of an arrival keeps the disaster's).
        const at = m.slot * ROW_WORDS + ROW_EVENT
        if (rows[at] !== stamp) rows[at] = match ? -stamp : stamp
        const past = facts.past === true || m.facts.past === true
        if (!past && (fresh || (!match && eventDay && facts.onset && m.facts.onset)))
          alone.add(m.slot)
        reports.push(m.slot)
      }
    }
    for (const slot of reports) if (visit(slot)) break
    // Each candidate's row is asked for before the first is looked at: their cache misses overlap
    // (looked at one by one, each waited for the last).
    const candidates = buckets.gather(arrival.bands)
    const found = buckets.found
    let touch = 0
    for (let i = 0; i < candidates; i++) {
      const row = found[i]! * ROW_WORDS
      touch |= rows[row]! | rows[row + ROW_WORDS - 1]!
    }
    _touched = touch
    // Then, as visit would one by one (the same cap, the same order): which of them the bound
    // lets through first, and then those alone are scored, once the reads of their columns and
    // keys have all been asked for (their misses overlap too).
    if (passed.length < candidates) {
      passed = new Int32Array(found.length)
      bounds = new Float64Array(found.length)
    }
    let through = 0
    for (let i = 0; i < candidates && scored < maxCandidates; i++) {
      const slot = found[i]!
      const row = slot * ROW_WORDS
      if (rows[row + ROW_VISITED] === stamp) continue
      rows[row + ROW_VISITED] = stamp
      scored++
      const bound = sketchBound.of(rows, row, MIN_SHARED)
      if (!mayReach(slot, bound)) continue
      passed[through] = slot
      bounds[through++] = bound
    }
    let reach = 0
    let keysAt = 0
    for (let p = 0; p < through; p++) {
      const slot = passed[p]!
      reach += seen[slot]! + time[slot]!
      // And the other columns judge reads, each an array of its own (a miss apiece).
      keysAt |=
        size[slot]! | flags[slot]! | source[slot]! | storyOf[slot]! | keyArena.lengthOf(slot)
      const chunk = keyArena.chunkOf(slot)
      const start = keyArena.startOf(slot)
      if (start < chunk.length) keysAt |= chunk[start]!
    }
    _reached = reach + keysAt
    for (let p = 0; p < through; p++) judge(passed[p]!, bounds[p]!)
    counters.candidates += scored
    if (entries === 0) return undefined
    ranked.length = 0
    for (let e = 0; e < entries; e++) {
      if (eMargin[e]! > Number.NEGATIVE_INFINITY || eWeak[e]! >= SUPPORT_MEMBERS) ranked.push(e)
    }
    if (ranked.length > 1) ranked.sort(byRank)
    for (let r = 0; r < Math.min(ranked.length, MAX_STORIES_TRIED); r++) {
      const e = ranked[r]!
      const match = docs[eMatch[e]!]!
      const clusterId = match.clusterId
      // Every member of the story must agree with the newcomer, and each source tells it once.
      // A huge story is checked against its newest members only, to bound the cost.
      // One member checked (the default) is the match alone: the story's list is not read.
      let fits = fitsMember(doc, match, match)
      if (fits && membersChecked > 1) {
        const newest = (listAt(byCluster, clusterId) ?? [])
          .slice(-membersChecked)
          .filter((m) => seenOf(m) >= cutoff && m !== match)
        fits = newest
          .slice(newest.length - (membersChecked - 1))
          .every((m) => fitsMember(doc, m, match))
      }
      if (fits) {
        // Frozen, in store/frozen-reason.ts's shape: the store keeps this very object (no copy).
        const reason = Object.freeze({
          via: 'similar',
          matchedId: match.id,
          score: round3(eScore[e]!),
        })
        matched = match
        return { clusterId, reason }
      }
    }
    return undefined
  }

  const assignOne = (
    item: Item,
    now: Date,
    known?: (id: string) => Item | undefined,
    given?: StoryFeatures,
  ): Item => {
    counters.assigned++
    const cutoff = now.getTime() - windowMs
    const indexed = byId.get(item.id)
    if (indexed) {
      // A stored item keeps its story; a changed text is re-indexed under the same story.
      if (indexed.text !== textOf(item))
        insert(makeDoc(item, indexed.clusterId, indexed.reason, given))
      return withStory(item, indexed.clusterId, indexed.reason)
    }
    const stored = known?.(item.id)
    if (stored) {
      const doc = makeDoc(item, stored.clusterId, stored.clusterReason, given)
      if (ownOf(doc).seen >= cutoff) insert(doc, true)
      return withStory(item, stored.clusterId, stored.clusterReason)
    }
    const doc = makeDoc(item, item.id, undefined, given)
    if (ownOf(doc).seen < cutoff) return withStory(item, item.id, undefined)
    // Most arrivals' URLs are new: no list to filter (and none made).
    const listed = doc.url === undefined ? undefined : listAt(byUrl, doc.url)
    if (listed) {
      const same = listed.filter((d) => seenOf(d) >= cutoff)
      const own = same.find((d) => d.sourceId === doc.sourceId)
      // The same source and URL under a new id is the stored item itself (the store keeps its id).
      if (own) return withStory(item, own.clusterId, own.reason)
      const first = same.sort((a, b) => timeOf(a) - timeOf(b) || (a.id < b.id ? -1 : 1))[0]
      if (first) {
        const reason: ClusterReason = Object.freeze({ via: 'url', matchedId: first.id })
        doc.clusterId = first.clusterId
        doc.reason = reason
        insert(doc, true)
        return withStory(item, first.clusterId, reason)
      }
    }
    const story = similarStory(doc, cutoff)
    if (story) {
      // The doc is this call's own (not indexed): set its story in place, its hidden class kept.
      doc.clusterId = story.clusterId
      doc.reason = story.reason
      ownOf(doc).matched = matched
      insert(doc, true, listed === undefined)
      return withStory(item, story.clusterId, story.reason)
    }
    insert(doc, true, listed === undefined)
    return withStory(item, item.id, undefined)
  }

  return {
    windowMs,
    get size() {
      return byId.size
    },
    has: (id) => byId.has(id),
    add(item) {
      insert(makeDoc(item, item.clusterId, item.clusterReason))
    },
    remove(id) {
      const doc = byId.get(id)
      if (doc) unlink(doc)
      return doc !== undefined
    },
    assign(items, now, known, features) {
      // Sweeping costs a walk over the window: at most once per 1/24 of it.
      if (now.getTime() - lastSweep > windowMs / 24) evict(now)
      return items.map((item, i) => assignOne(item, now, known, features?.[i]))
    },
    evict,
    stats: () => ({ size: byId.size, ...counters }),
  }
}

/** A report of a disaster: an event key other than a match's or an actor's, and not a look back. */
const isDisaster = (doc: Doc): boolean =>
  doc.facts.aside !== true && doc.events.some((k) => !isMatchKey(k) && !isActorKey(k))

/**
 * Whether two reports share a disaster's or a match's key: one event, whose figures and towns
 * its day's reports give differently. An actor's development does not count: its day holds other
 * developments the guards keep apart.
 */
const sharesEvent = (a: Uint32Array, b: Uint32Array): boolean => {
  for (const k of a) if (!isActorKey(k) && hasKey(b, k)) return true
  return false
}

/** A figure `a` gives that `b` does not: a late report with one is news of its own day. */
const newFigure = (a: StoryFacts, b: StoryFacts): boolean =>
  a.numbers.some((n) => !b.numbers.includes(n))

const round3 = (x: number): number => Math.round(x * 1000) / 1000
