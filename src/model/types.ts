/** The nouns and contracts of topicwire: configuration, sources, items, queries and the Store. Imports nothing. */

export type FeedFormat = 'rss' | 'atom' | 'json'

/** Fields of an item that topic rules can look at. */
export type MatchField = 'title' | 'summary' | 'content' | 'categories'
export const MATCH_FIELDS: readonly MatchField[] = ['title', 'summary', 'content', 'categories']

// ---------------------------------------------------------------- configuration

export interface ServerConfig {
  /** The address `serve` listens on: `127.0.0.1` (this machine only) unless configured. */
  host: string
  port: number
  /** Absolute, without a trailing slash: `http://localhost:8080`. */
  baseUrl: string
  /** Empty or absent: admin endpoints disabled. */
  adminToken?: string
  /** Set: every feed needs `?token=`. */
  feedToken?: string
}

export interface Retention {
  maxAgeDays: number
  maxItemsPerSource: number
}

export interface StorageConfig {
  driver: 'lowdb' | 'postgres'
  /** lowdb file, resolved against the working directory. */
  path: string
  url?: string
  /**
   * postgres: how long a replica keeps the sources it claimed unless their polls are saved first
   * (`storage.lease`); default: a cycle's deadline for every source plus a minute.
   */
  leaseMs?: number
  retention: Retention
}

export interface FetchConfig {
  /** Default interval: a duration (`15m`) or a cron expression (`*\/10 * * * *`). */
  every: string
  timeoutMs: number
  maxBytes: number
  concurrency: number
  perHost: number
  userAgent: string
  allowPrivateNetworks: boolean
  /** Worker threads that decompress, parse, normalise and tag fetched documents; absent: one per core (at most 4); 0: none. */
  workers?: number
  /** CPU deadline for analysing one document on a worker (`fetch.analysis_timeout`, default 10 s). */
  analysisTimeoutMs?: number
  /** Deadline for one poll cycle's per-source work (`fetch.cycle_timeout`); absent: derived from timeoutMs and analysisTimeoutMs. */
  cycleTimeoutMs?: number
}

export interface Source {
  /** `[a-z0-9-]+`, unique. */
  id: string
  title: string
  url: string
  /** Overrides `fetch.every`. */
  every?: string
  tags: string[]
  language?: string
  /** IANA zone for dates written without one; default UTC. */
  timezone?: string
  /** Higher wins when several sources carry one story. Default 0. */
  priority: number
  enabled: boolean
  /**
   * True: this source may be (or redirect to) a private, loopback or link-local address, past
   * the fetcher's guard (a publisher on this machine, as in the demo). Default: guarded.
   */
  allowPrivateNetworks?: boolean
}

/**
 * A topic rule, exactly as the YAML writes it (validated, not yet compiled):
 * - a string: a word or phrase, `field:term` scoped, or `/regex/flags`;
 * - `{ term, weight }`: a weighted term (for `min_score`);
 * - `{ near: [a, b], within }`: all terms within `within` words of each other (default 12);
 * - `{ source: [tags] }`: holds when the item's source carries one of the tags (the outlet's
 *   country standing for a side the text leaves implied);
 * - `{ any, all, none, in, scope }`: a boolean group; `in` limits the fields for the whole group;
 *   `scope: clause` makes the whole group (its `none` included) hold within one clause of one field.
 */
export type MatchNode = string | WeightedTerm | NearNode | SourceNode | GroupNode
export interface WeightedTerm {
  term: string
  weight: number
}
export interface NearNode {
  near: string[]
  within: number
}
export interface SourceNode {
  source: string[]
}
export interface GroupNode {
  any?: MatchNode[]
  all?: MatchNode[]
  none?: MatchNode[]
  in?: MatchField[]
  scope?: 'clause'
}

export interface Topic {
  id: string
  title: string
  match: MatchNode
  /** Fields looked at by default (all four unless the YAML says otherwise). */
  in: MatchField[]
  /** Only items of sources carrying one of these tags. */
  sourceTags?: string[]
  /** Never items of sources carrying one of these tags. */
  excludeSourceTags?: string[]
  /** With weighted terms: the score an item needs. */
  minScore?: number
  /** A classifier learned from readers' verdicts, and how it combines with the rules. */
  model?: TopicModelSetting
}

/**
 * `model:` of a topic. `filter`: the rules pick items and the model keeps those it gives at least
 * `threshold`; `alone`: the model decides by itself (rules ignored). Until the model has learned
 * from both an "in" and an "out" example (a `file`, or verdicts), the topic uses its rules alone.
 */
export interface TopicModelSetting {
  mode: 'filter' | 'alone'
  /** Probability, 0–1, an item needs. */
  threshold: number
  /** The model file as the YAML names it (relative to the configuration file). */
  file?: string
  /** The file's model: what learning from verdicts starts from (loaded with the configuration). */
  base?: TopicModel
  /** The model tagging uses: `base` updated with the stored verdicts (set by the runtime). */
  learned?: TopicModel
}

/**
 * A trained classifier, plain JSON (a file, a worker message, or rebuilt from verdicts): a
 * logistic regression over an item's normalised words and word pairs. `weights` maps a feature
 * to its weight (+ towards the topic), sorted by feature; `bias` is the intercept. Only features
 * present in an item count.
 */
export interface TopicModel {
  version: 1
  /** The examples it learned from (a file's and the verdicts' together). */
  examples: { in: number; out: number }
  bias: number
  weights: Record<string, number>
}

export interface FeedDef {
  id: string
  title: string
  description?: string
  /** The item must carry one of these topics; absent: any item. */
  topics?: string[]
  /** Absent: all sources. */
  sources?: string[]
  excludeTopics: string[]
  limit: number
}

export interface AppConfig {
  /** The file this configuration came from (for messages). */
  file: string
  server: ServerConfig
  storage: StorageConfig
  fetch: FetchConfig
  sources: Source[]
  topics: Topic[]
  feeds: FeedDef[]
}

// ---------------------------------------------------------------- items

export interface Enclosure {
  url: string
  type?: string
  length?: number
}

export interface Item {
  /** Stable for ever: a UUID derived from sha256(sourceId | guid ?? canonicalUrl ?? title+date). */
  id: string
  sourceId: string
  guid?: string
  url?: string
  canonicalUrl?: string
  /** Plain text. */
  title: string
  /** Plain text. */
  summary?: string
  /** Sanitised HTML with absolute URLs. */
  contentHtml?: string
  author?: string
  language?: string
  categories: string[]
  enclosures: Enclosure[]
  /** ISO 8601 UTC. */
  publishedAt: string
  /** ISO 8601 UTC; set when the source changed the item after we first stored it. */
  updatedAt?: string
  fetchedAt: string
  /** A change here is a real update. */
  contentHash: string
  /** Sorted topic ids. */
  topics: string[]
  /** Story id shared by copies of one story across sources; the item's own id when alone. */
  clusterId: string
  /** Why this item joined its story (absent for a story's first item). */
  clusterReason?: ClusterReason
}

/** Explains a merge: the same canonical URL, or a near-duplicate text with its similarity. */
export interface ClusterReason {
  via: 'url' | 'similar'
  /** The stored item it was matched with. */
  matchedId: string
  /** Similarity in [0, 1] for `similar`. */
  score?: number
}

// ---------------------------------------------------------------- source state

export type ErrorCode =
  | 'config'
  | 'fetch'
  | 'timeout'
  | 'too-large'
  | 'http'
  | 'redirect'
  | 'private-network'
  | 'parse'
  | 'store'
  | 'not-found'
  | 'invalid-param'
  | 'unauthorized'
  | 'overloaded'
  | 'internal'

/** What the store keeps per source between polls. */
export interface SourceState {
  sourceId: string
  /** Where we poll now when a permanent redirect was confirmed (the YAML stays as written). */
  effectiveUrl?: string
  etag?: string
  lastModified?: string
  lastFetchAt?: string
  lastSuccessAt?: string
  lastStatus?: number
  lastError?: { code: ErrorCode; message: string; at: string }
  /** Consecutive failures. */
  failures: number
  nextPollAt: string
  /** 410 Gone: polling stopped. */
  gone?: boolean
  /** Items stored for this source after the last poll. */
  itemCount?: number
  /** What the parser had to repair in the last document ("recovered from: …"). */
  recovered?: string[]
  /** A 301/308 target seen on consecutive polls; adopted after the confirmation window. */
  pendingRedirect?: { url: string; firstSeenAt: string }
  /** The most recent polls, oldest first (capped), for health sparklines and 304 shares. */
  history?: PollRecord[]
}

/** One poll as remembered in a source's history. */
export interface PollRecord {
  at: string
  outcome: PollOutcome
  status?: number
  /** New + updated items stored by this poll. */
  changed?: number
}

// ---------------------------------------------------------------- queries

/** Parsed `q`: every `include` word/phrase must occur, no `exclude` may. Lower-cased. */
export interface SearchTerms {
  include: string[]
  exclude: string[]
  /** Field-scoped terms (`title:kabul`, `-summary:"world cup"`); absent or empty: none. */
  scoped?: ScopedTerm[]
}

/** A `q` term that must (or, `exclude`, must not) occur in one field of the item. */
export interface ScopedTerm {
  field: MatchField
  /** Word or phrase, lower-cased. */
  term: string
  exclude: boolean
}

export interface ItemQuery {
  topics?: string[]
  notTopics?: string[]
  sources?: string[]
  q?: SearchTerms
  /** ISO 8601 UTC, inclusive. */
  since?: string
  /** ISO 8601 UTC, exclusive. */
  until?: string
  lang?: string
  /** 1..500. */
  limit: number
  /** Opaque, from a previous page's `nextCursor`. */
  cursor?: string
  clusters: 'collapse' | 'all'
}

export interface Page<T> {
  items: T[]
  nextCursor?: string
}

export interface IngestResult {
  sourceId: string
  items: Item[]
  state: SourceState
  /**
   * Word filters (topics/word-filter.ts `wordsOf`) of items of this save made before it (by the
   * analysis), by item id. A store that keeps them (lowdb) takes one for a stored item with that
   * id whose search fields (title, summary, content, categories) are those of `of`, and makes
   * the others itself; other stores ignore them.
   */
  wordFilters?: ReadonlyMap<string, GivenWordFilter>
}

/** An item's word filter, made where it was analysed. */
export interface GivenWordFilter {
  /** The item as analysed: the filter is of its search fields. */
  of: Pick<Item, 'title' | 'summary' | 'contentHtml' | 'categories'>
  /** `wordsOf(of)`. */
  filter: string
}

export interface SaveSummary {
  new: number
  updated: number
  unchanged: number
}

/** The one persistence contract; drivers live in `store/`. */
/**
 * A reader's verdict: the item is in or out of the topic. It keeps the text it judged, so it
 * outlives the item's retention and can come from a labelled file of items never stored.
 */
export interface Verdict {
  topicId: string
  itemId: string
  in: boolean
  /** ISO 8601 UTC, when the verdict was given. */
  at: string
  title: string
  summary?: string
  /**
   * The store's import sequence (set by the store when it saves the verdict, growing per store):
   * the history order models learn in. Absent in verdicts stored before it existed (they come first).
   */
  seq?: number
}

/**
 * A topic's learned model as a store keeps it beside the verdicts, so a start loads it instead of
 * retraining: `basis` names what it was learned from besides them (model file, learning code), and
 * `covers` the verdict history it learned (the first `count` verdicts in history order, the last
 * one's sequence, time and item).
 */
export interface StoredTopicModel {
  topicId: string
  basis: string
  covers: { count: number; seq: number; at: string; itemId: string }
  model: TopicModel
}

/** A place in a shared store's write order (see Store.storedSince): a version, and an id within it. */
export interface StoredPosition {
  seq: number
  id: string
}

export interface Store {
  /**
   * True when other processes write this store too (PostgreSQL replicas): a poller's story index
   * then reads their items before each batch (stories/clusterer.ts). Absent: this process only.
   */
  readonly shared?: boolean
  /** States of the sources due at `now` (nextPollAt <= now), oldest first, at most `max`. */
  claimDue(now: Date, sourceIds: string[], max: number): Promise<SourceState[]>
  getState(sourceId: string): Promise<SourceState | undefined>
  listStates(): Promise<SourceState[]>
  /** Items fetched or published since `since` (ISO): candidates for clustering. */
  recentItems(since: string): Promise<Item[]>
  /**
   * Shared stores: the items written after `after` (a position from {@link storedPosition} or a
   * previous answer), in write order, at most `limit`, and the position past the last one. A
   * replica's story index catches up with these instead of re-reading a window.
   */
  storedSince?(
    after: StoredPosition,
    limit: number,
  ): Promise<{ items: Item[]; next: StoredPosition }>
  /** Shared stores: the position of the newest committed write (read before a seed). */
  storedPosition?(): Promise<StoredPosition>
  /**
   * Shared stores: whether every item is stored under its id with the same content hash and
   * topics, so that saving them changes no item (a poll with nothing new skips the story lock).
   */
  storedUnchanged?(items: readonly Item[]): Promise<boolean>
  /**
   * Shared stores: runs `fn` while no other process runs story work under this lock (waits for
   * it): a batch's story assignment and its save, so two replicas never both found one story.
   */
  storyLock?<T>(fn: () => Promise<T>): Promise<T>
  /** Whether saveIngest uses IngestResult.wordFilters: a poll then has its analysis make them. */
  readonly keepsWordFilters?: boolean
  /**
   * Upserts items (by id; updated only when contentHash changed) and the state, together. Sets the
   * state's `itemCount`, and `changed` (new + updated) on its record of this poll (the newest
   * history record, when taken at `lastFetchAt`): only the store knows what was new.
   */
  saveIngest(r: IngestResult): Promise<SaveSummary>
  /** Updates the state alone (errors, not-modified). */
  saveState(state: SourceState): Promise<void>
  queryItems(q: ItemQuery): Promise<Page<Item>>
  getItem(id: string): Promise<Item | undefined>
  /** Every stored member of a story (any order); drivers without it show no "also reported by". */
  clusterMembers?(clusterId: string): Promise<Item[]>
  /**
   * Every stored member of these stories (any order) in one read: for a store where each read is
   * a round trip (PostgreSQL), a page's stories at once. Absent: `clusterMembers` per story.
   */
  storyMembers?(clusterIds: readonly string[]): Promise<Item[]>
  /** Stored items matching the filter; with `stories`, their distinct stories (clusterIds) instead. */
  countItems(filter?: {
    sourceId?: string
    topic?: string
    since?: string
    stories?: boolean
  }): Promise<number>
  /** Stores verdicts (one per topic and item: a later one replaces it); returns how many changed. */
  saveVerdicts(verdicts: readonly Verdict[]): Promise<number>
  /** The verdicts of one topic (or all), by topic and item id. */
  listVerdicts(topicId?: string): Promise<Verdict[]>
  /** Keeps a topic's learned model (replacing the one stored for the topic). Absent: never stored. */
  saveTopicModel?(m: StoredTopicModel): Promise<void>
  /** The learned models stored, by topic id. */
  topicModels?(): Promise<StoredTopicModel[]>
  /**
   * Recomputes every item's topics (or, with `only`, those of the stored items with these ids:
   * the others are not read); returns how many items changed.
   */
  retag(tagger: (item: Item) => string[], only?: ReadonlySet<string>): Promise<number>
  /**
   * The tagging fingerprint (topics/tagging-fingerprint.ts) every stored item was tagged under, as
   * last recorded; undefined when unknown or forgotten. Drivers that leave it out re-tag always.
   */
  taggedWith?(): Promise<string | undefined>
  /**
   * Records the fingerprint once a re-tag under it is durable (`undefined` forgets it first, so a
   * re-tag cut short by a crash is redone at the next start); durable where the store persists.
   */
  setTaggedWith?(fingerprint: string | undefined): Promise<void>
  /** Deletes by age and per-source count; returns how many were removed. */
  prune(policy: Retention, now: Date): Promise<number>
  /**
   * Runs `fn` unless another process sharing this store runs work of the same `name` now (then
   * `{ ran: false }` at once): re-tagging and retention done by one replica for all. Drivers with
   * one process per store (memory, lowdb) leave it out; callers then just run `fn`.
   */
  runExclusive?<T>(
    name: string,
    fn: () => Promise<T>,
  ): Promise<{ ran: true; value: T } | { ran: false }>
  /**
   * Grows with every change that can alter a published document. A shared store's version is
   * shared: replicas that have seen the same changes hold the same number (validators built on
   * it, such as the index page's ETag, agree across replicas).
   */
  version(): number
  /**
   * Calls `listener` with each change as it becomes visible: synchronously with {@link version}
   * moving (before any reader sees the new version), for this process's writes and, in a shared
   * store, for the other processes' too. Returns a function that stops the calls. Drivers that
   * leave it out say nothing of what changed: readers then assume anything did.
   */
  onChange?(listener: (change: StoreChange) => void): () => void
  /** Writes pending changes durably (lowdb: one atomic file write). */
  flush(): Promise<void>
  /**
   * Failed writes so far, and the last one's message while writing still fails (cleared by the
   * next successful write). Drivers that never write a file leave it out.
   */
  writeFailures?(): { count: number; failing?: string }
  close(): Promise<void>
}

/** What one change to a store touched (see {@link Store.onChange}). */
export interface StoreChange {
  /** The version the change made; absent when it changed no published document (verdicts). */
  version?: number
  /**
   * Every topic of the items it changed, before and after, and of the other members of their
   * stories (old and new): a story's new report moves its lead and its "also reported by"
   * links, in every feed that shows a member. Absent: any topic.
   */
  topics?: readonly string[]
  /** The sources of the same items and story members; absent: any source. */
  sources?: readonly string[]
  /** Topics whose verdicts changed (their models learn from them); absent when none did. */
  verdicts?: readonly string[]
  /** Made by another process sharing the store. */
  remote: boolean
  /** Changes may have gone unheard (a lost connection): anything may have changed, verdicts too. */
  missed?: boolean
}

// ---------------------------------------------------------------- runtime services

export interface Clock {
  now(): Date
}

export interface Logger {
  debug(obj: object, msg: string): void
  info(obj: object, msg: string): void
  warn(obj: object, msg: string): void
  error(obj: object, msg: string): void
  child(bindings: Record<string, unknown>): Logger
}

export type PollOutcome = 'ok' | 'not-modified' | 'error' | 'gone' | 'retry-later'

export interface Metrics {
  recordPoll(sourceId: string, outcome: PollOutcome, seconds: number): void
  recordItems(sourceId: string, summary: SaveSummary): void
  recordRequest(route: string, status: number, seconds: number): void
  /** Prometheus text exposition. */
  render(): Promise<string>
  readonly contentType: string
}

/**
 * What every command shares (runtime.ts builds it): what `http/` serves with, and the base of the
 * poller's own dependencies (ingest/poll-deps.ts).
 */
export interface Deps {
  config: AppConfig
  store: Store
  clock: Clock
  logger: Logger
  metrics: Metrics
}
