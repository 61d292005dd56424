/** `topicwire check [--preview]`: validate the configuration; dry-run rule changes on stored items. */
import { loadConfig } from '../config/load.js'
import type { AppConfig, Item, Store } from '../model/types.js'
import { topicTagger } from '../topics/tag.js'
import type { CliContext } from './context.js'

/** Exit 0 when the file is valid, 1 (with every error, file:line:col) when not. */
export const checkCommand = async (
  ctx: CliContext,
  opts: { preview: boolean },
): Promise<number> => {
  const config = await loadConfig(ctx.configPath, ctx.env)
  ctx.out(
    `${ctx.configPath}: OK (${config.sources.length} sources, ${config.topics.length} topics, ${config.feeds.length} feeds)`,
  )
  if (!opts.preview) return 0
  // Loaded only for the preview: plain `check` never opens the store.
  const { openStore, learnFromStore } = await import('../runtime.js')
  const store = await openStore(config, undefined, { readOnly: true })
  try {
    const learned = await learnFromStore(config, store)
    for (const line of describeModels(learned)) ctx.out(line)
    for (const line of await previewTopics(learned, store)) ctx.out(line)
  } finally {
    await store.close()
  }
  return 0
}

/**
 * One line per topic with `model:`: how it combines with the rules and what it learned from (its
 * file and the stored verdicts), so the preview below reads as "what the retrained model changes".
 */
export const describeModels = (config: AppConfig): string[] =>
  config.topics.flatMap((t) => {
    const m = t.model
    if (!m) return []
    const how = m.mode === 'alone' ? 'alone' : 'as a filter after the rules'
    const from = m.learned
      ? `retrained on ${m.learned.examples.in} in / ${m.learned.examples.out} out (${m.file ? `${m.file} and ` : ''}stored verdicts)`
      : 'not learned yet (needs an item in and one out): rules alone'
    return [`model of ${t.id}: probability ≥ ${m.threshold} ${how}, ${from}`]
  })

/** What the rules of a configuration would change for one topic. */
export interface TopicChange {
  topicId: string
  /** The topic's title; absent for a topic the configuration no longer has. */
  title?: string
  /** Items carrying the topic now. */
  before: number
  /** Items carrying it under the new rules. */
  after: number
  /** Newest first. */
  added: Item[]
  removed: Item[]
}

/** The dry run of {@link diffTopics}: per topic, and the items left alone. */
export interface TopicDiff {
  /** Stored items looked at. */
  total: number
  /** Items whose topics would change. */
  changed: number
  /** Items of sources the configuration no longer lists: they keep their topics, as on reload. */
  orphaned: number
  /** Configured topics in configuration order, then topics stored items still carry. */
  topics: TopicChange[]
}

/**
 * Re-tags every stored item with the rules of `config`, without saving, and compares with the
 * topics stored. Items of unknown sources keep their topics, as `reload` would leave them.
 */
export const diffTopics = async (config: AppConfig, store: Store): Promise<TopicDiff> => {
  const tagger = topicTagger(config.topics)
  const sources = new Map(config.sources.map((s) => [s.id, s]))
  const changes = new Map<string, TopicChange>()
  const change = (topicId: string): TopicChange => {
    let c = changes.get(topicId)
    if (!c) {
      c = { topicId, before: 0, after: 0, added: [], removed: [] }
      changes.set(topicId, c)
    }
    return c
  }
  for (const t of config.topics) change(t.id).title = t.title
  const diff: TopicDiff = { total: 0, changed: 0, orphaned: 0, topics: [] }
  for await (const item of allItems(store)) {
    diff.total++
    const source = sources.get(item.sourceId)
    const prev = new Set(item.topics)
    if (!source) diff.orphaned++
    const next = new Set(source ? tagger(item, source) : item.topics)
    for (const t of prev) change(t).before++
    for (const t of next) change(t).after++
    let changed = false
    for (const t of next)
      if (!prev.has(t)) {
        change(t).added.push(item)
        changed = true
      }
    for (const t of prev)
      if (!next.has(t)) {
        change(t).removed.push(item)
        changed = true
      }
    if (changed) diff.changed++
  }
  diff.topics = [...changes.values()]
  return diff
}

/**
 * The dry run as the lines `check --preview` prints: per topic the count before → after, then the
 * items added (+) and removed (−) with their source and date, at most `limit` of each.
 * @example
 * pakistan-afghanistan — Pakistan–Afghanistan relations: 120 → 123 items (+5 −2)
 *   + Torkham reopens for trade after 19-day closure  [Dawn, 2026-03-09]
 */
export const formatTopicDiff = (
  diff: TopicDiff,
  config: AppConfig,
  opts: { limit?: number } = {},
): string[] => {
  const limit = opts.limit ?? 20
  const sourceTitle = new Map(config.sources.map((s) => [s.id, s.title]))
  const describe = (i: Item) =>
    `${i.title}  [${sourceTitle.get(i.sourceId) ?? i.sourceId}, ${i.publishedAt.slice(0, 10)}]`
  const lines = [
    '',
    `Preview of the topic rules in ${config.file} over ${count(diff.total, 'stored item')}: ${
      diff.changed === 0 ? 'no item would change' : `${diff.changed} would change`
    }.`,
  ]
  for (const t of diff.topics) {
    const name = t.title === undefined ? 'no longer configured' : t.title
    const delta =
      t.added.length + t.removed.length === 0
        ? 'unchanged'
        : `+${t.added.length} −${t.removed.length}`
    lines.push('', `${t.topicId} — ${name}: ${t.before} → ${count(t.after, 'item')} (${delta})`)
    for (const [sign, list, verb] of [
      ['+', t.added, 'added'],
      ['−', t.removed, 'removed'],
    ] as const) {
      for (const i of list.slice(0, limit)) lines.push(`  ${sign} ${describe(i)}`)
      if (list.length > limit) lines.push(`  … and ${list.length - limit} more ${verb}`)
    }
  }
  if (diff.orphaned > 0)
    lines.push(
      '',
      `${count(diff.orphaned, 'stored item')} from sources the configuration no longer lists: ` +
        'topics kept as they are.',
    )
  return lines
}

const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`

/** Per topic, the stored items the rules in `config` would add or remove, as printable lines. */
export const previewTopics = async (
  config: AppConfig,
  store: Store,
  opts: { limit?: number } = {},
): Promise<string[]> => formatTopicDiff(await diffTopics(config, store), config, opts)

async function* allItems(store: Store): AsyncGenerator<Item> {
  let cursor: string | undefined
  do {
    const page = await store.queryItems({ limit: 500, cursor, clusters: 'all' })
    yield* page.items
    cursor = page.nextCursor
  } while (cursor)
}
