/** Strict zod schemas for config/topicwire.yaml (unknown key = error) and their camelCase output. */
import { z } from 'zod'
import type {
  FeedDef,
  FetchConfig,
  Retention,
  Source,
  StorageConfig,
  Topic,
  TopicModelSetting,
} from '../model/types.js'
import { MATCH_FIELDS } from '../model/types.js'
import {
  duration,
  every,
  flag,
  httpUrl,
  language,
  list,
  listenHost,
  MAP_MESSAGE,
  matchFields,
  matchNode,
  nonEmptyList,
  number,
  size,
  slugId,
  text,
  timeZone,
  token,
  whole,
} from './fields.js'
import {
  type ConfigPath,
  fillMessage,
  type Problem,
  unknownKeyMessage,
  wherePhrase,
} from './locate.js'

/** Default `User-Agent` of the fetcher. */
const DEFAULT_USER_AGENT = 'topicwire/0.1 (+https://github.com/topicwire/topicwire)'

/** Where `serve` listens unless `server.host` or HOST says otherwise: this machine only. */
const DEFAULT_HOST = '127.0.0.1'

// ---------------------------------------------------------------- sections

const omitUndefined = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T

const serverSchema = z
  .strictObject(
    {
      host: listenHost().default(DEFAULT_HOST),
      port: whole(1, 65535).default(8080),
      base_url: httpUrl().optional(),
      admin_token: token().optional(),
      feed_token: token().optional(),
    },
    { error: MAP_MESSAGE },
  )
  .transform((s) =>
    omitUndefined({
      host: s.host,
      port: s.port,
      baseUrl: s.base_url?.replace(/\/+$/, ''),
      adminToken: s.admin_token || undefined,
      feedToken: s.feed_token || undefined,
    }),
  )

const retentionSchema = z
  .strictObject(
    { max_age_days: whole(1).default(60), max_items_per_source: whole(1).default(2000) },
    { error: MAP_MESSAGE },
  )
  .transform(
    (r): Retention => ({ maxAgeDays: r.max_age_days, maxItemsPerSource: r.max_items_per_source }),
  )

const storageSchema = z
  .strictObject(
    {
      driver: z
        .enum(['lowdb', 'postgres'], { error: '{field} must be "lowdb" or "postgres", got {got}' })
        .default('lowdb'),
      path: text().default('data/db.json'),
      url: token().optional(),
      lease: duration().optional(),
      retention: retentionSchema.prefault({}),
    },
    { error: MAP_MESSAGE },
  )
  .transform(
    ({ lease, ...s }): StorageConfig =>
      omitUndefined({ ...s, url: s.url || undefined, leaseMs: lease }),
  )

const fetchSchema = z
  .strictObject(
    {
      every: every().default('15m'),
      timeout: duration().default(20_000),
      max_bytes: size().default(10 * 1024 ** 2),
      concurrency: whole(1, 1000).default(8),
      per_host: whole(1, 1000).default(2),
      user_agent: text().default(DEFAULT_USER_AGENT),
      // Guarded unless opted out: a public source must not lead the fetcher into this network.
      allow_private_networks: flag().default(false),
      workers: whole(0, 64).optional(),
      analysis_timeout: duration().default(10_000),
      cycle_timeout: duration().optional(),
    },
    { error: MAP_MESSAGE },
  )
  .transform(
    (f): FetchConfig => ({
      every: f.every,
      timeoutMs: f.timeout,
      maxBytes: f.max_bytes,
      concurrency: f.concurrency,
      perHost: f.per_host,
      userAgent: f.user_agent,
      allowPrivateNetworks: f.allow_private_networks,
      ...(f.workers === undefined ? {} : { workers: f.workers }),
      analysisTimeoutMs: f.analysis_timeout,
      ...(f.cycle_timeout === undefined ? {} : { cycleTimeoutMs: f.cycle_timeout }),
    }),
  )

/** A source as validated; `id` and `title` are filled in later (they depend on the other sources). */
export type ParsedSource = Omit<Source, 'id' | 'title'> & { id?: string; title?: string }

const sourceSchema = z
  .strictObject(
    {
      id: slugId().optional(),
      title: text().optional(),
      url: httpUrl(),
      every: every().optional(),
      tags: list(text()).default([]),
      language: language().optional(),
      timezone: timeZone().optional(),
      priority: number().default(0),
      enabled: flag().default(true),
      allow_private_networks: flag().optional(),
    },
    { error: '{field} must be a map with at least url:, got {got}' },
  )
  .transform(
    ({ allow_private_networks, ...s }): ParsedSource =>
      omitUndefined({ ...s, allowPrivateNetworks: allow_private_networks }),
  )

/** A topic as validated; its `id` is its key in the `topics` map. */
export type ParsedTopic = Omit<Topic, 'id' | 'title'> & { title?: string }

const modelSchema = z
  .strictObject(
    {
      mode: z
        .enum(['filter', 'alone'], { error: '{field} must be "filter" or "alone", got {got}' })
        .default('filter'),
      threshold: z
        .number({ error: '{field} must be a probability from 0 to 1, got {got}' })
        .min(0, { error: '{field} must be a probability from 0 to 1, got {got}' })
        .max(1, { error: '{field} must be a probability from 0 to 1, got {got}' })
        .default(0.5),
      file: text().optional(),
    },
    { error: '{field} must be a map such as { mode: filter, threshold: 0.5 }, got {got}' },
  )
  .transform((m): TopicModelSetting => omitUndefined({ ...m }))

const topicSchema = z
  .strictObject(
    {
      title: text().optional(),
      match: matchNode(),
      in: matchFields().min(1, { error: '{field} must name at least one field' }).optional(),
      source_tags: list(text()).optional(),
      exclude_source_tags: list(text()).optional(),
      min_score: number().optional(),
      model: modelSchema.optional(),
    },
    { error: '{field} must be a map with at least match:, got {got}' },
  )
  .transform(
    (t): ParsedTopic =>
      omitUndefined({
        title: t.title,
        match: t.match,
        in: t.in ?? [...MATCH_FIELDS],
        sourceTags: t.source_tags,
        excludeSourceTags: t.exclude_source_tags,
        minScore: t.min_score,
        model: t.model,
      }),
  )

const feedSchema = z
  .strictObject(
    {
      id: slugId(),
      title: text().optional(),
      description: text().optional(),
      topics: nonEmptyList(text(), 'leave "topics" out to include items of any topic').optional(),
      sources: nonEmptyList(text(), 'leave "sources" out to include every source').optional(),
      exclude_topics: list(text()).default([]),
      limit: whole(1, 500).default(50),
    },
    { error: '{field} must be a map with at least id:, got {got}' },
  )
  .transform(
    (f): FeedDef =>
      omitUndefined({
        id: f.id,
        title: f.title ?? f.id,
        description: f.description,
        topics: f.topics,
        sources: f.sources,
        excludeTopics: f.exclude_topics,
        limit: f.limit,
      }),
  )

/** The whole file. `sources` is the only required key (an empty list is allowed). */
export const configSchema = z.strictObject(
  {
    server: serverSchema.prefault({}),
    storage: storageSchema.prefault({}),
    fetch: fetchSchema.prefault({}),
    sources: list(sourceSchema),
    topics: z.record(z.string(), topicSchema, { error: MAP_MESSAGE }).default({}),
    feeds: list(feedSchema).default([]),
  },
  { error: 'the file must be a map of settings (server:, sources:, topics: …), got {got}' },
)

/** The validated file, camelCase, before ids, environment overrides and cross-checks. */
export type ParsedConfig = z.output<typeof configSchema>

// ---------------------------------------------------------------- issues → problems

const ALLOWED_KEYS: Record<string, readonly string[]> = {
  '': Object.keys(configSchema.shape),
  server: Object.keys(serverSchema.in.shape),
  storage: Object.keys(storageSchema.in.shape),
  'storage.retention': Object.keys(retentionSchema.in.shape),
  fetch: Object.keys(fetchSchema.in.shape),
  'sources[]': Object.keys(sourceSchema.in.shape),
  'topics.*': Object.keys(topicSchema.in.shape),
  'topics.*.model': Object.keys(modelSchema.in.shape),
  'feeds[]': Object.keys(feedSchema.in.shape),
}

/** The keys a map at `path` may have. */
export const allowedKeysAt = (path: ConfigPath): readonly string[] => {
  const shape = path
    .map((seg, i) => (typeof seg === 'number' ? '[]' : path[0] === 'topics' && i === 1 ? '*' : seg))
    .join('.')
    .replace(/\.\[\]/g, '[]')
  return ALLOWED_KEYS[shape] ?? []
}

/** Turns zod's issues into problems with sentences (`{field}` / `{got}` filled in). */
export const problemsFromIssues = (
  issues: readonly z.core.$ZodIssue[],
  isKeyPresent: (path: ConfigPath) => boolean,
): Problem[] =>
  issues.flatMap((i): Problem[] => {
    const path = i.path.filter((s): s is string | number => typeof s !== 'symbol')
    if (i.code === 'unrecognized_keys') {
      return i.keys.map((key) => ({
        path: [...path, key],
        at: 'key',
        message: unknownKeyMessage(key, wherePhrase(path), allowedKeysAt(path)),
      }))
    }
    const params = i.code === 'custom' ? (i.params as { at?: 'key' } | undefined) : undefined
    if (i.code === 'invalid_type' && i.input === undefined && path.length > 0) {
      const key = path[path.length - 1]
      const parent = path.slice(0, -1)
      const message = isKeyPresent(path)
        ? `"${key}" has no value ${wherePhrase(parent)}`
        : `missing "${key}" ${wherePhrase(parent)}`
      return [{ path, message }]
    }
    return [
      {
        path,
        message: fillMessage(i.message, path, i.input),
        ...(params?.at ? { at: params.at } : {}),
      },
    ]
  })
