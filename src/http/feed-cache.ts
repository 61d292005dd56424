/** The rendered-feed cache: bytes and validators per key, LRU-bounded, one render per concurrent miss, dropped per change and rendered again ahead of readers. */
import type { StoreChange } from '../model/types.js'
import type { Coding } from './accept-encoding.js'
import {
  type CodedVariant,
  type CodedVariants,
  codedHeaders,
  codedVariants,
  compressBody,
  MIN_CODED_BYTES,
} from './feed-codings.js'

/** A rendered document, ready to send as it is: the hot path only compares and writes. */
export interface CachedFeed {
  /** The encoded body: @hono/node-server writes a Buffer far faster than the same string. */
  body: Buffer
  /** Strong ETag, quoted. */
  etag: string
  /** HTTP date. */
  lastModified: string
  /** Headers of a 200 (Content-Type, Content-Length, validators, Cache-Control, Vary). */
  headers: Readonly<Record<string, string>>
  /** Headers of a 304: the same validators, Cache-Control and Vary, no body headers. */
  notModifiedHeaders: Readonly<Record<string, string>>
  /** Its gzip and br forms (see feed-codings.ts); absent for a document too small to compress. */
  coded?: CodedVariants
}

/**
 * A rendered document as the cache keeps it (feeds and /api/items pages alike): the headers of
 * its 200 and of its 304 from one set of validators, and its coded forms when it is large enough.
 */
export const cachedDocument = (
  body: Buffer,
  contentType: string,
  v: { etag: string; lastModified: string; cacheControl: string; vary: string },
): CachedFeed => {
  const common = {
    ETag: v.etag,
    'Last-Modified': v.lastModified,
    'Cache-Control': v.cacheControl,
    Vary: v.vary,
    'X-Content-Type-Options': 'nosniff',
  }
  return {
    body,
    etag: v.etag,
    lastModified: v.lastModified,
    headers: {
      'Content-Type': contentType,
      'Content-Length': String(body.byteLength),
      ...common,
    },
    notModifiedHeaders: common,
    ...(body.byteLength >= MIN_CODED_BYTES ? { coded: codedVariants(v.etag, common) } : {}),
  }
}

export interface FeedCacheOptions {
  /** Most documents kept (default 500). */
  maxEntries?: number
  /** Most body bytes kept (default 64 MiB); a document larger than a quarter of it is not kept. */
  maxBytes?: number
  /** Renders ahead of readers in flight at most (default 2); 0 renders none ahead. */
  maxPrerenders?: number
}

/** The items a cached document can show, as far as a change needs to know (absent lists: any). */
export interface CacheScope {
  /** Only items with one of these topics. */
  topics?: readonly string[]
  /** Only items of these sources. */
  sources?: readonly string[]
}

/** What {@link FeedCache.getOrRender} may know of a document besides how to render it. */
export interface RenderOptions {
  /** What it shows: a change touching none of it keeps it. Absent: any change drops it. */
  scope?: CacheScope
  /**
   * Renders it again as a reader would now (not tied to one request or client): used to render
   * it ahead of readers after a change dropped it while it was read. Absent: never ahead.
   */
  refresh?: () => Promise<CachedFeed>
}

/** What the cache did so far (for tests, metrics and the benchmark). */
export interface FeedCacheStats {
  entries: number
  aliases: number
  bytes: number
  hits: number
  misses: number
  /** Renders started (concurrent misses of one key share one). */
  renders: number
  /** Times a new generation dropped everything. */
  invalidations: number
  /** Documents dropped (or renders in flight disowned) because a change touched what they show. */
  dropped: number
  /** Renders started ahead of readers (see {@link RenderOptions.refresh}). */
  prerenders: number
  /** Compressed variants made (one per document and coding at most). */
  compressions: number
}

/** The cache of rendered documents; one per app (no module state). */
export interface FeedCache {
  /**
   * Declares the generation the next lookups belong to: the store version and the configuration
   * object. A new configuration drops every entry, and so does a store version that moved past
   * the changes {@link noteChange} was told of (one of them went unheard: anything may have
   * changed); renders still in flight then are not stored when they finish.
   */
  sync(config: object, storeVersion: number): void
  /**
   * A store change (see `Store.onChange`), as it becomes visible: drops the documents whose scope
   * it touches and disowns such renders in flight (their result is not stored); the others stay.
   * A dropped document that was read since it was rendered is rendered again ahead of readers.
   * Changes without a version (verdicts) publish nothing and are ignored.
   */
  noteChange(change: Pick<StoreChange, 'version' | 'topics' | 'sources'>): void
  /** The cached document, marked most recently used; counts a hit. */
  get(key: string): CachedFeed | undefined
  /**
   * The cached document, else the render in flight for `key`, else a new render whose result is
   * stored (within the bounds). A render that throws is not cached: every waiter gets its error.
   */
  getOrRender(
    key: string,
    render: () => Promise<CachedFeed>,
    opts?: RenderOptions,
  ): Promise<CachedFeed>
  /**
   * Remembers that a raw request (see `rawRequestKey` in feed-layer.ts) was answered with the
   * document of `key`, for `route` (a metrics label), until the generation changes.
   */
  remember(request: string, key: string, route: string): void
  /** The cached document a raw request was answered with (a hit), if both are still known. */
  recall(request: string): { doc: CachedFeed; route: string } | undefined
  /**
   * A document's variant in `coding` with its bytes: compressed on first use (off the main
   * thread; concurrent callers share one compression), then kept on the document and counted
   * in the cache's bytes while the document is cached.
   */
  encode(doc: CachedFeed, coding: Coding): Promise<CodedVariant>
  clear(): void
  stats(): FeedCacheStats
}

const DEFAULT_MAX_ENTRIES = 500
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024
const DEFAULT_MAX_PRERENDERS = 2
/**
 * Versions heard of ahead of an unheard one, kept at most: past it the gap is given up on (the
 * next `sync` drops everything, as for any unheard change).
 */
const MAX_AHEAD = 1_024

/** A cached document with what a change and a render ahead of readers need. */
interface Entry extends RenderOptions {
  doc: CachedFeed
  /** Read by a reader since it was rendered: only such documents are rendered ahead again. */
  read: boolean
}

/** A render in flight. */
interface Flight extends RenderOptions {
  promise: Promise<CachedFeed>
  /** A reader waits for it (not only a render ahead of readers). */
  read: boolean
  /** A change touched its scope after it started: its result is not stored. */
  disowned: boolean
}

/**
 * Creates an empty cache. Entries live in one Map whose insertion order is the recency order
 * (a hit moves its key to the end, eviction takes from the front). Aliases (raw request → key,
 * for the fast path that answers before routing) are bounded to four per entry, oldest first out.
 * @example
 * const cache = createFeedCache({ maxEntries: 200 })
 * store.onChange?.((change) => cache.noteChange(change))
 * cache.sync(deps.config, deps.store.version())
 * const doc = cache.get(key) ?? (await cache.getOrRender(key, render, { scope, refresh }))
 */
export const createFeedCache = (opts: FeedCacheOptions = {}): FeedCache => {
  const maxEntries = Math.max(1, opts.maxEntries ?? DEFAULT_MAX_ENTRIES)
  const maxBytes = Math.max(1, opts.maxBytes ?? DEFAULT_MAX_BYTES)
  const maxPrerenders = Math.max(0, opts.maxPrerenders ?? DEFAULT_MAX_PRERENDERS)
  const entries = new Map<string, Entry>()
  const inFlight = new Map<string, Flight>()
  const aliases = new Map<string, { key: string; route: string }>()
  const maxAliases = maxEntries * 4
  let bytes = 0
  /** The key stored or hit last: already at the end, so a run of hits on one feed moves nothing. */
  let newest: string | undefined
  let generation = 0
  let config: object | undefined
  let storeVersion = Number.NaN
  /** Every store version up to this one was noted (or predates the generation). */
  let heard = Number.NaN
  /** Versions noted past an unheard one. */
  const ahead = new Set<number>()
  /** Documents to render ahead of readers, oldest drop first, each once. */
  const queue = new Map<string, RenderOptions>()
  let prerendering = 0
  const stats = {
    hits: 0,
    misses: 0,
    renders: 0,
    invalidations: 0,
    dropped: 0,
    prerenders: 0,
    compressions: 0,
  }

  const clear = (): void => {
    entries.clear()
    inFlight.clear()
    aliases.clear()
    queue.clear()
    bytes = 0
  }

  /** Which key a cached document is stored under, to count its variants' bytes. */
  const keyOf = new WeakMap<CachedFeed, string>()

  const evict = (): void => {
    for (const [k, v] of entries) {
      if (entries.size <= maxEntries && bytes <= maxBytes) break
      entries.delete(k)
      bytes -= sizeOf(v.doc)
    }
  }

  const store = (key: string, entry: Entry): void => {
    const size = sizeOf(entry.doc)
    if (size * 4 > maxBytes) return
    const old = entries.get(key)
    if (old) {
      bytes -= sizeOf(old.doc)
      entries.delete(key)
    }
    entries.set(key, entry)
    keyOf.set(entry.doc, key)
    newest = key
    bytes += size
    evict()
  }

  const compress = async (doc: CachedFeed, variant: CodedVariant): Promise<CodedVariant> => {
    stats.compressions++
    const body = await compressBody(doc.body, variant.coding)
    // Set and counted in one step, so an eviction subtracts exactly what was added.
    variant.headers = codedHeaders(doc.headers, variant, body)
    variant.body = body
    const key = keyOf.get(doc)
    if (key !== undefined && entries.get(key)?.doc === doc) {
      bytes += body.byteLength
      evict()
    }
    return variant
  }

  const lookup = (key: string): CachedFeed | undefined => {
    const entry = entries.get(key)
    if (!entry) return undefined
    // Most recently used goes last.
    if (key !== newest) {
      entries.delete(key)
      entries.set(key, entry)
      newest = key
    }
    entry.read = true
    stats.hits++
    return entry.doc
  }

  /** Starts a render of `key` that is stored when it finishes, unless disowned or out of date. */
  const start = (
    key: string,
    render: () => Promise<CachedFeed>,
    ro: RenderOptions,
    read: boolean,
  ): Flight => {
    stats.renders++
    const started = generation
    const flight: Flight = { ...ro, read, disowned: false, promise: undefined as never }
    const run = async (): Promise<CachedFeed> => {
      const doc = await render()
      if (generation === started && !flight.disowned) {
        store(key, {
          doc,
          read: flight.read,
          ...(ro.scope ? { scope: ro.scope } : {}),
          ...(ro.refresh ? { refresh: ro.refresh } : {}),
        })
      }
      return doc
    }
    const promise = run()
    flight.promise = promise
    const settle = (): void => {
      if (inFlight.get(key) === flight) inFlight.delete(key)
    }
    // Registered before any waiter's handlers, so a finished render leaves the map first.
    promise.then(settle, settle)
    inFlight.set(key, flight)
    return flight
  }

  /** Starts queued renders ahead of readers, at most `maxPrerenders` at once. */
  const pump = (): void => {
    for (const [key, ro] of queue) {
      if (prerendering >= maxPrerenders) return
      queue.delete(key)
      if (!ro.refresh || entries.has(key) || inFlight.has(key)) continue
      prerendering++
      stats.prerenders++
      const done = (): void => {
        prerendering--
        pump()
      }
      // A failed render ahead is forgotten: the next reader renders, and gets the error.
      start(key, ro.refresh, ro, false).promise.then(done, done)
    }
  }

  /** Queues a dropped document for a render ahead of readers when it was read since its render. */
  const requeue = (key: string, e: RenderOptions & { read: boolean }): void => {
    if (!e.read || !e.refresh || maxPrerenders === 0) return
    queue.set(key, { refresh: e.refresh, ...(e.scope ? { scope: e.scope } : {}) })
  }

  /** Drops everything of this generation; with `again`, what was read is rendered ahead again. */
  const dropAll = (again: boolean): void => {
    const hot = again ? [...entries].filter(([, e]) => e.read && e.refresh) : []
    generation++
    clear()
    for (const [key, e] of hot.reverse()) requeue(key, e)
    pump()
  }

  return {
    sync(nextConfig, nextVersion) {
      if (nextConfig === config && nextVersion === storeVersion) return
      if (nextConfig !== config) {
        if (config !== undefined) stats.invalidations++
        config = nextConfig
        storeVersion = nextVersion
        heard = nextVersion
        ahead.clear()
        // Renders ahead would render under the old configuration.
        dropAll(false)
        return
      }
      storeVersion = nextVersion
      if (nextVersion <= heard) return
      // A change nobody told us of: anything may have changed.
      stats.invalidations++
      heard = nextVersion
      for (const v of ahead) if (v <= heard) ahead.delete(v)
      dropAll(true)
    },
    noteChange(change) {
      const v = change.version
      // Before the first sync nothing is cached; a change that publishes nothing drops nothing.
      if (v === undefined || config === undefined) return
      if (v > heard) {
        ahead.add(v)
        while (ahead.delete(heard + 1)) heard++
        // Too far past an unheard change: give it up, the next sync drops everything.
        if (ahead.size > MAX_AHEAD) ahead.clear()
      }
      const touched = toucher(change)
      for (const [key, e] of entries) {
        if (!touched(e.scope)) continue
        entries.delete(key)
        bytes -= sizeOf(e.doc)
        stats.dropped++
        requeue(key, e)
      }
      for (const [key, f] of inFlight) {
        if (!touched(f.scope)) continue
        // Its readers get what it read before the change; the next ones a new render.
        f.disowned = true
        inFlight.delete(key)
        stats.dropped++
        requeue(key, f)
      }
      pump()
    },
    get: lookup,
    getOrRender(key, render, ro = {}) {
      const hit = lookup(key)
      if (hit) return Promise.resolve(hit)
      const pending = inFlight.get(key)
      if (pending) {
        pending.read = true
        return pending.promise
      }
      stats.misses++
      return start(key, render, ro, true).promise
    },
    remember(request, key, route) {
      if (aliases.has(request)) aliases.delete(request)
      else if (aliases.size >= maxAliases) {
        const oldest = aliases.keys().next()
        if (!oldest.done) aliases.delete(oldest.value)
      }
      aliases.set(request, { key, route })
    },
    recall(request) {
      const alias = aliases.get(request)
      const doc = alias && lookup(alias.key)
      return doc ? { doc, route: alias.route } : undefined
    },
    encode(doc, coding) {
      const variant = doc.coded?.[coding]
      if (!variant) return Promise.reject(new Error(`no ${coding} variant for this document`))
      if (variant.body) return Promise.resolve(variant)
      if (!variant.pending) {
        const pending = compress(doc, variant)
        variant.pending = pending
        const settle = (): void => {
          if (variant.pending === pending) delete variant.pending
        }
        pending.then(settle, settle)
      }
      return variant.pending
    },
    clear,
    stats: () => ({ entries: entries.size, aliases: aliases.size, bytes, ...stats }),
  }
}

// --- Internal helpers ---

/** Bytes a document holds: its identity body and the variants compressed so far. */
const sizeOf = (doc: CachedFeed): number =>
  doc.body.byteLength +
  (doc.coded?.gzip.body?.byteLength ?? 0) +
  (doc.coded?.br.body?.byteLength ?? 0)

/**
 * Whether a change touches a scope: every list the scope fixes meets the change's list of the
 * same kind (a list the change lacks meets anything). The change names the topics and sources of
 * every member of every story it touched, so a document showing any of them is caught.
 */
const toucher = (
  change: Pick<StoreChange, 'topics' | 'sources'>,
): ((scope: CacheScope | undefined) => boolean) => {
  const topics = change.topics && new Set(change.topics)
  const sources = change.sources && new Set(change.sources)
  const meets = (fixed: readonly string[] | undefined, changed: Set<string> | undefined) =>
    !fixed || !changed || fixed.some((x) => changed.has(x))
  return (scope) => !scope || (meets(scope.topics, topics) && meets(scope.sources, sources))
}
