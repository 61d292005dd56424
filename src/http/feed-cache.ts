/** The rendered-feed cache: bytes and validators per key, LRU-bounded, one render per concurrent miss. */
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
  /** Compressed variants made (one per document and coding at most). */
  compressions: number
}

/** The cache of rendered documents; one per app (no module state). */
export interface FeedCache {
  /**
   * Declares the generation the next lookups belong to: the store version and the configuration
   * object. A change drops every entry, and renders still in flight for the old generation are
   * not stored when they finish.
   */
  sync(config: object, storeVersion: number): void
  /** The cached document, marked most recently used; counts a hit. */
  get(key: string): CachedFeed | undefined
  /**
   * The cached document, else the render in flight for `key`, else a new render whose result is
   * stored (within the bounds). A render that throws is not cached: every waiter gets its error.
   */
  getOrRender(key: string, render: () => Promise<CachedFeed>): Promise<CachedFeed>
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

/**
 * Creates an empty cache. Entries live in one Map whose insertion order is the recency order
 * (a hit moves its key to the end, eviction takes from the front). Aliases (raw request → key,
 * for the fast path that answers before routing) are bounded to four per entry, oldest first out.
 * @example
 * const cache = createFeedCache({ maxEntries: 200 })
 * cache.sync(deps.config, deps.store.version())
 * const doc = cache.get(key) ?? (await cache.getOrRender(key, render))
 */
export const createFeedCache = (opts: FeedCacheOptions = {}): FeedCache => {
  const maxEntries = Math.max(1, opts.maxEntries ?? DEFAULT_MAX_ENTRIES)
  const maxBytes = Math.max(1, opts.maxBytes ?? DEFAULT_MAX_BYTES)
  const entries = new Map<string, CachedFeed>()
  const inFlight = new Map<string, Promise<CachedFeed>>()
  const aliases = new Map<string, { key: string; route: string }>()
  const maxAliases = maxEntries * 4
  let bytes = 0
  /** The key stored or hit last: already at the end, so a run of hits on one feed moves nothing. */
  let newest: string | undefined
  let generation = 0
  let config: object | undefined
  let storeVersion = Number.NaN
  const stats = { hits: 0, misses: 0, renders: 0, invalidations: 0, compressions: 0 }

  const clear = (): void => {
    entries.clear()
    inFlight.clear()
    aliases.clear()
    bytes = 0
  }

  /** Which key a cached document is stored under, to count its variants' bytes. */
  const keyOf = new WeakMap<CachedFeed, string>()

  const evict = (): void => {
    for (const [k, v] of entries) {
      if (entries.size <= maxEntries && bytes <= maxBytes) break
      entries.delete(k)
      bytes -= sizeOf(v)
    }
  }

  const store = (key: string, doc: CachedFeed): void => {
    const size = sizeOf(doc)
    if (size * 4 > maxBytes) return
    const old = entries.get(key)
    if (old) {
      bytes -= sizeOf(old)
      entries.delete(key)
    }
    entries.set(key, doc)
    keyOf.set(doc, key)
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
    if (key !== undefined && entries.get(key) === doc) {
      bytes += body.byteLength
      evict()
    }
    return variant
  }

  const lookup = (key: string): CachedFeed | undefined => {
    const doc = entries.get(key)
    if (doc) {
      // Most recently used goes last.
      if (key !== newest) {
        entries.delete(key)
        entries.set(key, doc)
        newest = key
      }
      stats.hits++
    }
    return doc
  }

  return {
    sync(nextConfig, nextVersion) {
      if (nextConfig === config && nextVersion === storeVersion) return
      if (config !== undefined) stats.invalidations++
      config = nextConfig
      storeVersion = nextVersion
      generation++
      clear()
    },
    get: lookup,
    getOrRender(key, render) {
      const hit = lookup(key)
      if (hit) return Promise.resolve(hit)
      const pending = inFlight.get(key)
      if (pending) return pending
      stats.misses++
      stats.renders++
      const started = generation
      const run = async (): Promise<CachedFeed> => {
        const doc = await render()
        if (generation === started) store(key, doc)
        return doc
      }
      const promise = run()
      const settle = (): void => {
        if (inFlight.get(key) === promise) inFlight.delete(key)
      }
      // Registered before any waiter's handlers, so a finished render leaves the map first.
      promise.then(settle, settle)
      inFlight.set(key, promise)
      return promise
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
