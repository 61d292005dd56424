/** The in-memory Store: upsert and dedupe rules, due sources, indexed queries and retention. */
import { StoreError } from '../model/errors.js'
import type {
  ClusterReason,
  Enclosure,
  IngestResult,
  Item,
  ItemQuery,
  PollRecord,
  Retention,
  SaveSummary,
  SourceState,
  Store,
  StoredTopicModel,
  Verdict,
} from '../model/types.js'
import { frozenReason } from './frozen-reason.js'
import { createItemIndex } from './item-index.js'
import { mergeItem, sameList, withChanged } from './merge-item.js'
import { applyQuery, type QueryOptions } from './query.js'

/** Everything a store holds, as the lowdb file writes it. */
export interface DbSnapshot {
  version: 1
  states: Record<string, SourceState>
  items: Item[]
  /** Readers' verdicts on topics (absent in files written before they existed). */
  verdicts?: Verdict[]
  /** Learned topic models, by topic id (absent in files written before they were stored). */
  models?: StoredTopicModel[]
}

/** The memory store plus what a persisting driver needs. */
export type MemoryStore = Store & {
  /** Every stored member of a story (frozen items, any order). */
  clusterMembers(clusterId: string): Promise<Item[]>
  /** A copy of all data (items newest first, states by id); items are frozen, do not mutate. */
  snapshot(): DbSnapshot
  /**
   * The snapshot without its items (what a store keeping items elsewhere writes: no sort of them).
   * `shared`: the stored states themselves (frozen all through), not copies, for a caller that only
   * serialises them.
   */
  stateSnapshot(shared?: boolean): Omit<DbSnapshot, 'items'>
  /**
   * Replaces all data with `s` (trusted: validate before). `frozen`: its items are frozen already
   * and owned by the store from now on (no copy of each), and so are its states, which the store
   * freezes where they lie: the caller keeps no other hold on them.
   */
  load(s: DbSnapshot, frozen?: boolean): void
  /** Grows with every change to stored data, source states included (what must be written). */
  revision(): number
  /** The stored (frozen, possibly lean) item with this id, synchronously. */
  peek(id: string): Item | undefined
  taggedWith(): Promise<string | undefined>
  setTaggedWith(fingerprint: string | undefined): Promise<void>
  saveTopicModel(m: StoredTopicModel): Promise<void>
  topicModels(): Promise<StoredTopicModel[]>
}

export interface MemoryStoreOptions {
  /** Accepted for symmetry with other drivers; every time-dependent method takes `now` itself. */
  now?: () => Date
  /**
   * A source's preference as the lead of a story (config `priority`, higher wins), read at every
   * query so a reloaded configuration applies at once. Absent: the earliest member leads.
   */
  priorityOf?: (sourceId: string) => number
  /**
   * Told of every stored item that is added, replaced or removed (not of `load`), so a persisting
   * driver knows which of its partitions changed: `before` is the stored item it replaces, if any.
   * `copyOf`: the item of the save that `after` is a frozen copy of (a new one), which JSON writes
   * alike. With `slim`, `after` from a save is not frozen (it may be that very item, then also
   * `copyOf`): the driver keeps the lean copy, and a driver that holds `after` itself holds a
   * {@link freezeItem} copy of it (a first import spills nearly every body at once, and a frozen
   * copy of each was made only to be dropped).
   */
  onItem?: (before: Item | undefined, after: Item | undefined, copyOf?: Item) => void
  /**
   * What the indexes keep of an item that is added or replaced (not of `load`): a driver that reads
   * bodies from disk keeps a lean copy. `onItem` is still told of the whole item (or of one built
   * from a lean copy: the driver recognises its own).
   */
  slim?: (item: Item) => Item
  /** The `q` test for stored items when they do not carry their whole text (see query.ts). */
  matcher?: QueryOptions['matcher']
}

const DAY_MS = 86_400_000

/** A frozen copy, so no caller can change a stored item behind the indexes' back. */
export const freezeItem = (i: Item): Item =>
  Object.freeze({
    ...i,
    categories: Object.freeze([...i.categories]) as string[],
    topics: Object.freeze([...i.topics]) as string[],
    enclosures: Object.freeze(i.enclosures.map((e) => Object.freeze({ ...e }))) as Enclosure[],
    // A reason the story index froze (in frozenReason's shape) is kept, not copied: its doc holds it too.
    ...(i.clusterReason ? { clusterReason: ownReason(i.clusterReason) } : {}),
  })

const ownReason = (r: ClusterReason): ClusterReason => (Object.isFrozen(r) ? r : frozenReason(r))

/**
 * A frozen copy of a state, all through, so that reads hand it out as it is: a copy per read cost
 * more than the rest of a 304 poll (a state keeps its last 100 polls). Poll records of `stored`
 * (the state the poll started from, frozen) are shared, not copied. A caller that wants another
 * state makes one (`{ ...state, … }`, as poll-state.ts does).
 */
const freezeState = (s: SourceState, stored?: SourceState): SourceState => {
  // One copy, then only the parts not frozen yet (a 304 poll brings one new history record).
  const out = { ...s }
  if (s.lastError) out.lastError = own(s.lastError)
  if (s.pendingRedirect) out.pendingRedirect = own(s.pendingRedirect)
  if (s.recovered && !Object.isFrozen(s.recovered))
    out.recovered = Object.freeze([...s.recovered]) as string[]
  if (s.history && !Object.isFrozen(s.history)) {
    const history = [...s.history]
    for (let i = sharedRecords(history, stored?.history); i < history.length; i++)
      history[i] = own(history[i]!)
    out.history = Object.freeze(history) as SourceState['history']
  }
  return Object.freeze(out)
}

/**
 * A state handed over to the store (`load` of data its caller parsed and gives up): frozen all
 * through where it lies, as {@link freezeState} would copy it. A store opened with a full history
 * (100 polls of each of 1,000 sources, cron's `fetch --once` after a few days) copied ~100,000
 * records: at 48 a source, 40–140 ms of CPU against ~5 ms frozen in place, of a second run's ~1 s.
 */
const freezeOwnedState = (s: SourceState): SourceState => {
  if (Object.isFrozen(s)) return s
  if (s.lastError) Object.freeze(s.lastError)
  if (s.pendingRedirect) Object.freeze(s.pendingRedirect)
  if (s.recovered) Object.freeze(s.recovered)
  if (s.history) {
    for (const r of s.history) Object.freeze(r)
    Object.freeze(s.history)
  }
  return Object.freeze(s)
}

/**
 * How many records at the start of `history` are those of `stored` (frozen) from some offset on,
 * as a poll leaves them: the oldest dropped, the rest in order. Comparing references is cheap;
 * Object.isFrozen on each record was not: it was a large share of a 304 poll with a full history.
 */
const sharedRecords = (history: readonly PollRecord[], stored?: readonly PollRecord[]): number => {
  if (!stored || stored.length === 0 || history.length === 0) return 0
  let from = 0
  while (from < stored.length && stored[from] !== history[0]) from++
  let n = 0
  while (n < history.length && from + n < stored.length && history[n] === stored[from + n]) n++
  return n
}

/** `o`, or a frozen copy of it when it is not frozen. */
const own = <T extends object>(o: T): T => (Object.isFrozen(o) ? o : Object.freeze({ ...o }))

const toTime = (what: string, iso: string): number => {
  const t = Date.parse(iso)
  if (Number.isNaN(t)) throw new StoreError(`${what}: "${iso}" is not an ISO 8601 date`)
  return t
}

/**
 * Creates an empty in-memory store.
 *
 * `saveIngest` upserts by id; an unknown id whose (sourceId, canonicalUrl) matches a stored item
 * of the same source IS that item (the stored id is kept). Same contentHash: unchanged (topics and
 * clusterId are still applied). Different contentHash: fields replaced, keeping id, fetchedAt
 * (first seen) and publishedAt, unless the source sent a real new date (one that is not just the
 * incoming fetchedAt, which normalize uses for undated entries); updatedAt = incoming fetchedAt.
 *
 * `version()` counts changes that can alter a published document (items, topics, clusters);
 * source-state writes alone do not bump it (they do bump `revision()`).
 *
 * `prune` removes a story cluster by age only when its newest member is older than maxAgeDays
 * (copies of one story go together), then keeps the maxItemsPerSource newest items per source.
 */
export const createMemoryStore = (opts: MemoryStoreOptions = {}): MemoryStore => {
  const index = createItemIndex()
  const { onItem, slim } = opts
  /** What the items were last re-tagged under (this process only: nothing of it persists here). */
  let fingerprint: string | undefined
  /**
   * index.put (of the lean copy, if any), telling `onItem`; `before`: the stored item of that id
   * when the caller has looked it up already (null: it has not).
   */
  const put = (item: Item, copyOf?: Item, before: Item | undefined | null = null): void => {
    const was = onItem ? (before === null ? index.get(item.id) : before) : undefined
    index.put(slim ? slim(item) : item)
    onItem?.(was, item, copyOf)
  }
  let states = new Map<string, SourceState>()
  /** By `topicId` NUL `itemId`. */
  let verdicts = new Map<string, Verdict>()
  const verdictKey = (v: Pick<Verdict, 'topicId' | 'itemId'>) => `${v.topicId}\u0000${v.itemId}`
  /** The last import sequence given to a verdict (Verdict.seq). */
  let verdictSeq = 0
  let models = new Map<string, StoredTopicModel>()
  const sortedVerdicts = () =>
    [...verdicts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v)
  let version = 0
  let revision = 0
  const changed = (visible: boolean): void => {
    revision++
    if (visible) version++
  }

  /** Picks the smallest indexed candidate set, as one newest-first stream (no per-query sort). */
  const candidates = (q: ItemQuery): Iterable<Item> => {
    const topics = q.topics?.length ? [...new Set(q.topics)] : undefined
    const sources = q.sources?.length ? [...new Set(q.sources)] : undefined
    const sum = (keys: string[] | undefined, count: (k: string) => number): number =>
      keys ? keys.reduce((n, k) => n + count(k), 0) : Number.POSITIVE_INFINITY
    const pick = (keys: string[], sorted: (k: string) => readonly Item[]): Iterable<Item> =>
      keys.length === 1 ? sorted(keys[0]!) : index.merge(keys.map(sorted))
    if (sources && sum(sources, index.countBySource) <= sum(topics, index.countByTopic)) {
      return pick(sources, index.sortedBySource)
    }
    return topics ? pick(topics, index.sortedByTopic) : index.sorted()
  }

  const stateSnapshot = (shared = false): Omit<DbSnapshot, 'items'> => {
    const out: Record<string, SourceState> = {}
    for (const id of [...states.keys()].sort()) {
      const st = states.get(id)!
      out[id] = shared ? st : structuredClone(st)
    }
    const vs = sortedVerdicts()
    const ms = [...models.keys()].sort().map((id) => models.get(id) as StoredTopicModel)
    return {
      version: 1,
      states: out,
      ...(vs.length > 0 ? { verdicts: vs } : {}),
      ...(ms.length > 0 ? { models: ms } : {}),
    }
  }

  const refreshItemCounts = (): void => {
    for (const [id, st] of states) {
      const n = index.countBySource(id)
      if (st.itemCount !== n) states.set(id, freezeState({ ...st, itemCount: n }, st))
    }
  }

  return {
    async claimDue(now, sourceIds, max) {
      const nowMs = now.getTime()
      let created = false
      const due: { st: SourceState; t: number; order: number }[] = []
      for (const [order, id] of [...new Set(sourceIds)].entries()) {
        let st = states.get(id)
        if (!st) {
          st = freezeState({ sourceId: id, failures: 0, nextPollAt: now.toISOString() })
          states.set(id, st)
          created = true
        }
        const t = Date.parse(st.nextPollAt)
        if (!st.gone && !(t > nowMs)) due.push({ st, t: Number.isNaN(t) ? 0 : t, order })
      }
      if (created) changed(false)
      due.sort((a, b) => a.t - b.t || a.order - b.order)
      return due.slice(0, Math.max(0, max)).map((d) => d.st)
    },

    async getState(sourceId) {
      return states.get(sourceId)
    },

    async listStates() {
      return [...states.keys()].sort().map((id) => states.get(id)!)
    },

    async recentItems(since) {
      const t = toTime('recentItems since', since)
      return index.sorted().filter((i) => {
        return index.publishedOf(i) >= t || index.fetchedOf(i) >= t
      })
    },

    async saveIngest(r: IngestResult): Promise<SaveSummary> {
      const foreign = [r.state, ...r.items].find((x) => x.sourceId !== r.sourceId)
      if (foreign) {
        throw new StoreError(
          `saveIngest for source "${r.sourceId}" was given data of source "${foreign.sourceId}"`,
        )
      }
      const sum: SaveSummary = { new: 0, updated: 0, unchanged: 0 }
      let visible = false
      for (const incoming of r.items) {
        const stored =
          index.get(incoming.id) ??
          (incoming.canonicalUrl
            ? index.findByCanonical(incoming.sourceId, incoming.canonicalUrl)
            : undefined)
        const out = mergeItem(stored, incoming)
        sum[out.kind]++
        if (out.item) {
          // The stored item of out.item's id is `stored` (mergeItem keeps its id), or none.
          // With `slim` the index keeps a lean copy of its own: no frozen copy here (see onItem).
          put(
            slim ? out.item : freezeItem(out.item),
            out.item === incoming ? incoming : undefined,
            stored,
          )
          visible = true
        }
      }
      const state = withChanged(r.state, sum.new + sum.updated)
      states.set(
        r.sourceId,
        freezeState(
          { ...state, itemCount: index.countBySource(r.sourceId) },
          states.get(r.sourceId),
        ),
      )
      changed(visible)
      return sum
    },

    async saveState(state) {
      const old = states.get(state.sourceId)
      // A poll changes lastFetchAt: only a state without a new poll needs the full comparison.
      const same =
        old !== undefined &&
        old.lastFetchAt === state.lastFetchAt &&
        old.history?.length === state.history?.length &&
        JSON.stringify(old) === JSON.stringify(state)
      if (same) return
      states.set(state.sourceId, freezeState(state, old))
      changed(false)
    },

    async queryItems(q) {
      return applyQuery(candidates(q), q, index.textOf, {
        presorted: true,
        clusterMembers: index.clusterMembers,
        ...(opts.priorityOf ? { priorityOf: opts.priorityOf } : {}),
        ...(opts.matcher ? { matcher: opts.matcher } : {}),
      })
    },

    async getItem(id) {
      return index.get(id)
    },

    async clusterMembers(clusterId) {
      return index.clusterMembers(clusterId)
    },

    async countItems(filter = {}) {
      const { sourceId, topic, since, stories } = filter
      const t = since === undefined ? undefined : toTime('countItems since', since)
      if (sourceId === undefined && topic === undefined && t === undefined && !stories)
        return index.size
      const pool =
        sourceId !== undefined &&
        (topic === undefined || index.countBySource(sourceId) <= index.countByTopic(topic))
          ? index.sortedBySource(sourceId)
          : topic !== undefined
            ? index.sortedByTopic(topic)
            : index.sorted()
      let n = 0
      // A story counts once however many of its reports match, as a collapsed feed shows it.
      const seen = stories ? new Set<string>() : undefined
      for (const i of pool) {
        if (t !== undefined && index.publishedOf(i) < t) break // pools are newest first
        if (sourceId !== undefined && i.sourceId !== sourceId) continue
        if (topic !== undefined && !i.topics.includes(topic)) continue
        if (seen) seen.add(i.clusterId)
        else n++
      }
      return seen ? seen.size : n
    },

    async taggedWith() {
      return fingerprint
    },

    async setTaggedWith(next) {
      fingerprint = next
    },

    async retag(tagger, only) {
      const updates: Item[] = []
      const pool = only
        ? [...only].flatMap((id) => {
            const item = index.get(id)
            return item ? [item] : []
          })
        : index.values()
      for (const item of pool) {
        const topics = [...new Set(tagger(item))].sort()
        if (!sameList(item.topics, topics)) updates.push(freezeItem({ ...item, topics }))
      }
      for (const u of updates) put(u)
      if (updates.length > 0) changed(true)
      return updates.length
    },

    async prune(policy: Retention, now: Date) {
      const cutoff = now.getTime() - policy.maxAgeDays * DAY_MS
      const doomed = new Set<string>()
      // Retention runs after every cycle that stored something: the walks below only run when
      // some item is old enough, or some source has more than it keeps.
      if (index.oldestPublished() < cutoff) {
        const newest = new Map<string, number>()
        for (const i of index.values()) {
          const t = index.publishedOf(i)
          if (t > (newest.get(i.clusterId) ?? Number.NEGATIVE_INFINITY)) newest.set(i.clusterId, t)
        }
        for (const i of index.values()) {
          if ((newest.get(i.clusterId) ?? 0) < cutoff) doomed.add(i.id)
        }
      }
      const keep = Math.max(0, policy.maxItemsPerSource)
      for (const s of index.sourceIds()) {
        if (index.countBySource(s) <= keep) continue
        const alive = index.sortedBySource(s).filter((i) => !doomed.has(i.id))
        for (const i of alive.slice(keep)) doomed.add(i.id)
      }
      if (doomed.size === 0) return 0
      for (const id of doomed) {
        const before = onItem ? index.get(id) : undefined
        index.remove(id)
        onItem?.(before, undefined)
      }
      refreshItemCounts()
      changed(true)
      return doomed.size
    },

    async saveVerdicts(list) {
      let n = 0
      for (const v of list) {
        const key = verdictKey(v)
        const old = verdicts.get(key)
        if (old && old.in === v.in && old.title === v.title && old.summary === v.summary) continue
        verdicts.set(key, Object.freeze({ ...v, seq: ++verdictSeq }))
        n++
      }
      // not visible in any feed by itself: a retrain that re-tags bumps the version
      if (n > 0) changed(false)
      return n
    },

    async listVerdicts(topicId) {
      const all = sortedVerdicts()
      return topicId === undefined ? all : all.filter((v) => v.topicId === topicId)
    },

    async saveTopicModel(m) {
      models.set(m.topicId, Object.freeze(structuredClone(m)))
      changed(false)
    },

    async topicModels() {
      return [...models.keys()]
        .sort()
        .map((id) => structuredClone(models.get(id) as StoredTopicModel))
    },

    version: () => version,
    revision: () => revision,
    peek: (id) => index.get(id),
    async flush() {},
    async close() {},

    snapshot() {
      const { verdicts: vs, ...rest } = stateSnapshot()
      return { ...rest, items: [...index.sorted()], ...(vs ? { verdicts: vs } : {}) }
    },

    stateSnapshot,

    load(s, frozen = false) {
      index.load(frozen ? s.items : s.items.map(freezeItem))
      const own = frozen ? freezeOwnedState : (st: SourceState) => freezeState(st)
      states = new Map(Object.values(s.states).map((st) => [st.sourceId, own(st)]))
      verdicts = new Map((s.verdicts ?? []).map((v) => [verdictKey(v), Object.freeze({ ...v })]))
      verdictSeq = (s.verdicts ?? []).reduce((n, v) => Math.max(n, v.seq ?? 0), 0)
      models = new Map((s.models ?? []).map((m) => [m.topicId, Object.freeze(structuredClone(m))]))
      changed(true)
    },
  }
}
